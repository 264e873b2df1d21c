// `probe --once` with canaries: each canary sends its one message while the probe pass runs,
// and the command waits for every canary up to its timeout, showing on a terminal how long it
// has been waiting ("waiting for the canary in ops-inbox: 12 s").

import type { ProbeConfig } from '../config/types.js';
import { runCanary } from './run.js';
import type { CanaryReport } from './types.js';

export interface CanaryOnceOptions {
  /** Shows one progress line (a terminal); called with '' when the wait is over. */
  show?: (line: string) => void;
  signal?: AbortSignal;
}

/** Runs every configured canary once, in parallel; [] without canaries. */
export async function runCanariesOnce(
  config: ProbeConfig,
  options: CanaryOnceOptions = {},
): Promise<CanaryReport[]> {
  if (config.canaries.length === 0) return [];
  const waiting = new Map<string, number>();
  const ticker = setInterval(() => {
    const first = [...waiting.entries()][0];
    if (first !== undefined)
      options.show?.(`waiting for the canary in ${first[0]}: ${Math.round(first[1] / 1000)} s`);
  }, 1_000);
  try {
    return await Promise.all(
      config.canaries.flatMap((spec) => {
        const relay = config.relays.find((r) => r.name === spec.relay);
        if (relay === undefined) return []; // the config parser refuses this
        const startedAt = Date.now();
        return [
          runCanary(spec, relay, {
            connectTimeoutMs: config.connectTimeoutMs,
            greetingTimeoutMs: config.greetingTimeoutMs,
            ...(options.signal !== undefined ? { signal: options.signal } : {}),
            onProgress: () => waiting.set(spec.name, Date.now() - startedAt),
          }).finally(() => waiting.delete(spec.name)),
        ];
      }),
    );
  } finally {
    clearInterval(ticker);
    options.show?.('');
  }
}
