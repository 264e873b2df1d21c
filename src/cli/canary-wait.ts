// `probe --once` with canaries: they start beside the pass and the command waits for them
// after it. imapflow and nodemailer are loaded only when the config has canaries, so a probe
// without them does not pay for the clients.

import type { ProbeConfig } from '../config/types.js';
import type { CanaryReport } from '../types.js';
import type { CliIo } from './io.js';

export interface CanaryWait {
  /** Every canary's result, once each has finished or timed out; [] without canaries. */
  results: () => Promise<CanaryReport[]>;
  /** The pass failed: the canaries stop now, and their results are not wanted. */
  abandon: () => Promise<void>;
}

/** Starts the configured canaries; their progress is one line on a terminal (stderr). */
export function startCanaries(config: ProbeConfig, io: CliIo): CanaryWait {
  const stop = new AbortController();
  const running: Promise<CanaryReport[]> =
    config.canaries.length === 0
      ? Promise.resolve([])
      : import('../canary/once.js').then(({ runCanariesOnce }) =>
          runCanariesOnce(config, { signal: stop.signal, ...canaryLine(io) }),
        );
  return {
    results: () => running,
    abandon: async () => {
      stop.abort();
      await running.catch(() => []);
    },
  };
}

/** The canaries' wait, as one line that rewrites itself on a terminal. */
function canaryLine(io: CliIo): { show?: (line: string) => void } {
  if (io.stderr.isTTY !== true) return {};
  return { show: (line) => io.stderr.write(`\r${line}\x1b[K`) };
}
