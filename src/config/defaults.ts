// The limits and defaults of mxprobe that are no setting of its own (each setting's default is
// in its row of config/settings.ts): --help, the config checks and the docs quote these values
// rather than repeating them. No cloud module is loaded here, so --help stays light.

import type { LogLevel } from '../log.js';
import { defaultPorts } from '../ports.js';

export const DEFAULTS = {
  /** Attempts in flight to one address: two of its ports at a time at most. */
  perAddressConcurrency: 2,
  // Attempts started per second. A one-shot pass is waited for: 1,000 attempts start within half
  // a second. The daemon is not: spreading a cycle's starts keeps its event loop free for
  // /metrics (p99 in milliseconds with 2,000 attempts per cycle), its memory low (fewer
  // sockets alive at once) and its load on the path smooth; 2,000 attempts start in 8 s.
  onceStartsPerSecond: 2_000,
  daemonStartsPerSecond: 250,
  logLevel: 'info' as LogLevel,
  /** With --once the report is the output: only warnings and errors are logged. */
  onceLogLevel: 'warn' as LogLevel,
  /**
   * A config file is read only up to this size. The largest config allowed (maxTargets
   * targets) takes about 120 KiB; parsing 256 KiB of YAML costs about 120 MB and 2 s, 1 MiB
   * already 220 MB and 4 s, and a 10 MB file gigabytes: the cap is what bounds them.
   */
  maxConfigBytes: 256 * 1_024,
  /**
   * Targets in one config: each is probed every cycle and has series in /metrics. 2,000 is the
   * largest pass the bench measures (npm run bench: 2,000 hosts, 4,000 attempts).
   */
  maxTargets: 2_000,
  /** Relays in one config: each is a full SMTP session with AUTH every cycle. */
  maxRelays: 64,
  /** YAML aliases (*name) one config may expand: enough to reuse a port list, not a bomb. */
  maxYamlAliases: 100,
} as const;

/**
 * The range a duration may take, in ms. Node's timers hold at most 2^31 - 1 ms (about 24.8
 * days) and silently turn anything longer into 1 ms, so no bound comes near that; the floors
 * keep a timeout above what any answer on a network needs (a loopback answer takes well under
 * 1 ms, a SYN round trip across the world about 300 ms).
 */
export interface DurationBounds {
  minMs: number;
  maxMs: number;
}

/** Ports of a target that names none, from the port table. */
export const DEFAULT_PORTS: readonly number[] = defaultPorts();
