// The daemon's delivery canaries: started with the daemon on their own schedule
// (canary/schedule.ts) and stopped with it. A cycle never waits for one: it reads the latest
// finished run of each when it publishes. The canary modules (and imapflow) are loaded only
// when the config has canaries.

import type { CanarySchedule } from '../canary/schedule.js';
import type { ProbeConfig } from '../config/types.js';
import type { Logger } from '../log.js';
import type { CanaryReport } from '../types.js';

/** No canaries configured: nothing runs, nothing to read. */
const NONE: CanarySchedule = { latest: () => [], stop: () => Promise.resolve() };

/** Starts every configured canary, each first run spread over its own interval. */
export async function startDaemonCanaries(
  config: ProbeConfig,
  log: Logger,
  random: () => number = Math.random,
): Promise<CanarySchedule> {
  if (config.canaries.length === 0) return NONE;
  const [{ scheduleCanaries }, { runCanary }] = await Promise.all([
    import('../canary/schedule.js'),
    import('../canary/run.js'),
  ]);
  const canaries = config.canaries.flatMap((spec) => {
    const relay = config.relays.find((r) => r.name === spec.relay);
    return relay === undefined ? [] : [{ spec, relay }]; // the config parser refuses this
  });
  log.info('canaries started', { canaries: canaries.length });
  return scheduleCanaries(
    canaries,
    (canary, signal) =>
      runCanary(canary.spec, canary.relay, {
        connectTimeoutMs: config.connectTimeoutMs,
        greetingTimeoutMs: config.greetingTimeoutMs,
        signal,
      }),
    {
      onReport: (report: CanaryReport) => log.info('canary finished', canaryFields(report)),
      // A short delay, so the first runs do not all start in the same second.
      firstDelayMs: () => Math.round(random() * 1_000),
    },
  );
}

function canaryFields(report: CanaryReport): Record<string, unknown> {
  return {
    canary: report.name,
    relay: report.relay,
    status: report.status,
    ...(report.seconds !== null ? { seconds: report.seconds } : {}),
  };
}
