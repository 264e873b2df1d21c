// What the lab tests share: the lab (brought up by global-setup.ts), and running the built
// mxprobe inside the VM namespace the way a user would, keeping what the user would see.

import { expect } from 'vitest';
import { Lab, paths, type ExecResult } from '../../lab/lab.js';
import type { ScenarioName } from '../../lab/scenarios.js';
import type { Attempt, Report } from '../../src/types.js';

export const lab = new Lab();

/** The lab's probe set: three providers' MX hosts on 25, their submission hosts on 587/465. */
export const LAB_PROBE_SET = ['--config', paths.probeSet];

export interface JsonRun extends ExecResult {
  report: Report;
}

/** `mxprobe probe --once --json ARGS` in the VM; stdout must be exactly one JSON document. */
export async function probeJson(args: string[]): Promise<JsonRun> {
  const run = await lab.mxprobe(['probe', '--once', '--json', ...args], {
    env: { NO_COLOR: '1' },
    timeoutMs: 120_000,
  });
  let report: Report;
  try {
    report = JSON.parse(run.stdout) as Report;
  } catch (error) {
    throw new Error(
      `stdout is not one JSON document (exit ${String(run.code)}):\n${run.stdout}\n${run.stderr}`,
      { cause: error },
    );
  }
  return { ...run, report };
}

/** `mxprobe probe --once ARGS` in the VM, human output, no colour (not a TTY, NO_COLOR set). */
export function probeHuman(args: string[]): Promise<ExecResult> {
  return lab.mxprobe(['probe', '--once', ...args], { env: { NO_COLOR: '1' }, timeoutMs: 120_000 });
}

export function applyScenario(name: ScenarioName): void {
  lab.apply(name);
}

/** An attempt as one readable line, so a failing assertion shows the whole picture. */
export const describeAttempt = (a: Attempt): string =>
  `${a.host} ${a.address} ${a.port} → ${a.result}/${a.reason}${a.errorCode ? ` (${a.errorCode})` : ''}`;

/** Asserts that every attempt has the result and reason `expected` gives for it. */
export function expectAttempts(
  report: Report,
  expected: (a: Attempt) => [Attempt['result'], Attempt['reason']],
): void {
  const actual = report.attempts.map(describeAttempt);
  const wanted = report.attempts.map((a) => {
    const [result, reason] = expected(a);
    return describeAttempt({ ...a, result, reason });
  });
  // errorCode is shown on both sides as the run reported it; only result/reason are compared.
  expect(actual).toEqual(wanted);
}

export function portStatuses(report: Report): Record<number, string> {
  return Object.fromEntries(report.ports.map((p) => [p.port, p.status]));
}
