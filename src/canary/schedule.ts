// The daemon's canaries, each on its own interval beside the probe cycles (CONTRACT §12). A
// canary run waits on a mailbox for up to its timeout (minutes), so no probe cycle ever awaits
// one: a cycle reads the latest finished run of each canary (`latest()`) when it publishes.
// Runs of one canary never overlap; different canaries run independently.

import type { RelaySpec } from '../types.js';
import type { CanaryReport, CanarySpec } from './types.js';

/** One canary with the relay it names, resolved from the config. */
export interface ScheduledCanary {
  spec: CanarySpec;
  relay: RelaySpec;
}

export type RunOneCanary = (canary: ScheduledCanary, signal: AbortSignal) => Promise<CanaryReport>;

export interface CanaryScheduleOptions {
  /** Called with each finished run (a log line, a metrics refresh). */
  onReport?: (report: CanaryReport) => void;
  /** Delay before a canary's first run (0: at once); a daemon spreads its first runs. */
  firstDelayMs?: (canary: ScheduledCanary) => number;
}

export interface CanarySchedule {
  /** The latest finished run of each canary, in config order (none yet: left out). */
  latest(): CanaryReport[];
  /** Aborts runs in flight (they end as soon as their I/O notices) and stops the timers. */
  stop(): Promise<void>;
}

export function scheduleCanaries(
  canaries: readonly ScheduledCanary[],
  run: RunOneCanary,
  options: CanaryScheduleOptions = {},
): CanarySchedule {
  const stopping = new AbortController();
  const latest = new Map<string, CanaryReport>();
  const loops = canaries.map((canary) =>
    loop(canary, run, stopping.signal, options.firstDelayMs?.(canary) ?? 0, (report) => {
      latest.set(canary.spec.name, report);
      options.onReport?.(report);
    }),
  );
  return {
    latest: () => canaries.flatMap((c) => latest.get(c.spec.name) ?? []),
    async stop() {
      stopping.abort();
      await Promise.all(loops);
    },
  };
}

/** Runs one canary every interval (start to start), never two at once, until aborted. */
async function loop(
  canary: ScheduledCanary,
  run: RunOneCanary,
  signal: AbortSignal,
  firstDelayMs: number,
  publish: (report: CanaryReport) => void,
): Promise<void> {
  let next = Date.now() + firstDelayMs;
  while (!signal.aborted) {
    await pause(next - Date.now(), signal);
    if (signal.aborted) return;
    const started = Date.now();
    try {
      const report = await run(canary, signal);
      if (!signal.aborted) publish(report);
    } catch {
      // runCanary reports every failure; a throw is a bug elsewhere and must not end the loop.
    }
    // A run longer than the interval (a timeout near the interval) is followed at once.
    next = Math.max(started + canary.spec.intervalMs, Date.now());
  }
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (ms <= 0 || signal.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
