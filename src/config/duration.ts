// Durations as people write them in config files and flags: "1500ms", "5s", "5m", "1h".
// A bare number is taken as milliseconds, as the --*-timeout flags document.

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const;
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/;

/** Milliseconds for a duration string, or undefined when it is not one. */
export function parseDurationMs(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  if (!match) return undefined;
  const value = Number(match[1]);
  const unit = (match[2] ?? 'ms') as keyof typeof UNIT_MS;
  const ms = Math.round(value * UNIT_MS[unit]);
  return Number.isFinite(ms) ? ms : undefined;
}

/** The shortest faithful spelling of a duration, for printing the effective config. */
export function formatDuration(ms: number): string {
  if (ms % UNIT_MS.h === 0 && ms > 0) return `${ms / UNIT_MS.h}h`;
  if (ms % UNIT_MS.m === 0 && ms > 0) return `${ms / UNIT_MS.m}m`;
  if (ms % UNIT_MS.s === 0 && ms > 0) return `${ms / UNIT_MS.s}s`;
  return `${ms}ms`;
}

/** "100ms to 1m". */
export function describeBounds(bounds: { minMs: number; maxMs: number }): string {
  return `${formatDuration(bounds.minMs)} to ${formatDuration(bounds.maxMs)}`;
}
