// Every default of mxprobe, written once: the effective config starts from here
// (config/default-config.ts assembles it), and --help, check-config and the docs quote these
// values rather than repeating them. No cloud module is loaded here, so --help stays light.

import type { LogLevel } from '../log.js';
import { defaultPorts } from '../ports.js';
import type { FamilyChoice } from '../types.js';
import type { ListenAddress } from './types.js';

export const DEFAULTS = {
  intervalMs: 5 * 60_000,
  /** The daemon never probes more often than this: mail providers are not to be hammered. */
  minIntervalMs: 60_000,
  listen: ':9725',
  // 1.5 s: two SYN rounds for each of six staggered sockets (probe/connect.ts), so loss does
  // not read as filtered, and a silently dropped port is called within 1.5 s.
  connectTimeoutMs: 1_500,
  greetingTimeoutMs: 10_000,
  family: 'any' as FamilyChoice,
  /** Attempts in flight to one target (a domain's MX hosts, or a host's addresses). */
  concurrency: 16,
  maxConcurrency: 256,
  /** Attempts in flight to one address: two of its ports at a time at most. */
  perAddressConcurrency: 2,
  hostSpacingMs: 100,
  // Sockets a pass holds at once, all destinations together (capped below the open-file limit).
  // A silently dropped attempt holds its 6 staggered SYN sockets for the whole connect timeout,
  // so 4096 sockets let about 680 silent destinations be waited for at once: 500 of them cost
  // one connect timeout.
  maxSockets: 4_096,
  maxMaxSockets: 1_048_576,
  // Attempts started per second. A one-shot pass is waited for: 1,000 attempts start within half
  // a second. The daemon is not: spreading a cycle's starts keeps its event loop free for
  // /metrics (p99 in milliseconds with 2,000 attempts per cycle), its memory low (fewer
  // sockets alive at once) and its load on the path smooth; 2,000 attempts start in 8 s.
  onceStartsPerSecond: 2_000,
  daemonStartsPerSecond: 250,
  cloudDetectionTimeoutMs: 300,
  dmiAssetTagPath: '/sys/class/dmi/id/chassis_asset_tag',
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

/** The range a duration may take, in ms, and why it is bounded. */
export interface DurationBounds {
  minMs: number;
  maxMs: number;
}

/**
 * Bounds of every duration, in the config file and on the command line (docs/reference.md,
 * "Config file"). Node's timers hold at most 2^31 - 1 ms (about 24.8 days) and silently turn
 * anything longer into 1 ms, so no bound comes near that; the floors keep a timeout above what
 * any answer on a network needs (a loopback answer takes well under 1 ms, a SYN round trip
 * across the world about 300 ms).
 */
export const DURATION_BOUNDS = {
  /** The floor under it is DEFAULTS.minIntervalMs (or --min-interval), checked apart. */
  interval: { minMs: 10, maxMs: 24 * 3_600_000 },
  /** --min-interval only lowers the floor, down to this. */
  minInterval: { minMs: 10, maxMs: 60_000 },
  connectTimeout: { minMs: 100, maxMs: 60_000 },
  // RFC 5321 §4.5.3.2 lets a client wait 5 minutes for a greeting: no probe needs more.
  greetingTimeout: { minMs: 100, maxMs: 5 * 60_000 },
  hostSpacing: { minMs: 1, maxMs: 60_000 },
  /** At most the interval too, checked apart. */
  splay: { minMs: 1, maxMs: 24 * 3_600_000 },
  cloudDetectionTimeout: { minMs: 10, maxMs: 30_000 },
} as const satisfies Record<string, DurationBounds>;

/** Public and free for low volume; each is described in docs/reference.md ("DNSBL zones"). */
export const DEFAULT_DNSBL_ZONES: readonly string[] = [
  'zen.spamhaus.org',
  'bl.spamcop.net',
  'psbl.surriel.com',
];

/** Ports of a target that names none, from the port table. */
export const DEFAULT_PORTS: readonly number[] = defaultPorts();

export function defaultListen(): ListenAddress {
  return {
    host: undefined,
    port: 9725,
    text: DEFAULTS.listen,
    origin: 'the default listen address',
  };
}
