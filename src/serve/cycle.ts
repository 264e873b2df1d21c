// What the daemon's loop decides without I/O: when the next cycle starts, and what of a
// finished cycle is worth a log line. Pure, so the loop (serve/daemon.ts) stays about timing
// and signals, and these rules are tested as tables.

import type { ProbeConfig } from '../config/types.js';
import type { DiagnosisCode, PortStatus, Report } from '../types.js';

/** Cycles start up to this fraction of the interval late: never early, so the floor holds. */
export const JITTER_FRACTION = 0.1;
/** Time from one cycle's start to the next one's. Pure. */
export function cycleDelayMs(
  config: Pick<ProbeConfig, 'intervalMs' | 'minIntervalMs'>,
  jitter: number,
): number {
  const interval = Math.max(config.intervalMs, config.minIntervalMs);
  return Math.round(interval * (1 + JITTER_FRACTION * jitter));
}

export type Change =
  | { kind: 'port'; port: number; from: PortStatus | null; to: PortStatus }
  | { kind: 'diagnosis'; from: DiagnosisCode | null; to: DiagnosisCode; summary: string };

/** What changed between two cycles worth one log line each; everything is new on the first. Pure. */
export function describeChanges(previous: Report | undefined, next: Report): Change[] {
  const before = new Map(previous?.ports.map((p) => [p.port, p.status]));
  const changes: Change[] = next.ports
    .filter((p) => before.get(p.port) !== p.status)
    .map((p) => ({ kind: 'port', port: p.port, from: before.get(p.port) ?? null, to: p.status }));
  if (previous?.diagnosis.code !== next.diagnosis.code) {
    changes.push({
      kind: 'diagnosis',
      from: previous?.diagnosis.code ?? null,
      to: next.diagnosis.code,
      summary: next.diagnosis.summary,
    });
  }
  return changes;
}

/** The fields of the one info line per cycle. Pure. */
export function cycleSummary(report: Report): Record<string, unknown> {
  const count = (result: string): number =>
    report.attempts.filter((a) => a.result === result).length;
  return {
    durationMs: report.durationMs,
    attempts: report.attempts.length,
    reachable: count('reachable'),
    blocked: count('blocked'),
    filtered: count('filtered'),
    error: count('error'),
    ports: Object.fromEntries(report.ports.map((p) => [String(p.port), p.status])),
    diagnosis: report.diagnosis.code,
  };
}
