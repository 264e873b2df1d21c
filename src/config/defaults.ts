// Every default of mxprobe, written once: the effective config starts from here, and --help,
// check-config and the docs quote these values rather than repeating them.

import { defaultMetadataUrls } from '../clouds/registry.js';
import type { LogLevel } from '../log.js';
import { defaultPorts } from '../ports.js';
import type { FamilyChoice } from '../types.js';
import type { CloudDetectionConfig, ListenAddress, ProbeConfig } from './types.js';

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
} as const;

/** Ports of a target that names none, from the port table. */
export const DEFAULT_PORTS: readonly number[] = defaultPorts();

export function defaultCloudDetection(): CloudDetectionConfig {
  return {
    enabled: true,
    metadataUrls: defaultMetadataUrls(),
    timeoutMs: DEFAULTS.cloudDetectionTimeoutMs,
    dmiAssetTagPath: DEFAULTS.dmiAssetTagPath,
  };
}

export function defaultListen(): ListenAddress {
  return {
    host: undefined,
    port: 9725,
    text: DEFAULTS.listen,
    origin: 'the default listen address',
  };
}

export function defaultConfig(): ProbeConfig {
  return {
    intervalMs: DEFAULTS.intervalMs,
    minIntervalMs: DEFAULTS.minIntervalMs,
    listen: defaultListen(),
    connectTimeoutMs: DEFAULTS.connectTimeoutMs,
    greetingTimeoutMs: DEFAULTS.greetingTimeoutMs,
    dnsServers: [],
    family: DEFAULTS.family,
    concurrency: DEFAULTS.concurrency,
    maxSockets: DEFAULTS.maxSockets,
    hostSpacingMs: DEFAULTS.hostSpacingMs,
    targets: [],
    relays: [],
    cloud: defaultCloudDetection(),
  };
}
