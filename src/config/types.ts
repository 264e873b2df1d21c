import type { CloudDetectionConfig } from '../clouds/detect.js';
import type { FamilyChoice, RelaySpec, TargetSpec } from '../types.js';

export type { CloudDetectionConfig } from '../clouds/detect.js';

/** An address to serve HTTP on, parsed once, with where it was given (for error messages). */
export interface ListenAddress {
  /** undefined: every interface, IPv4 and IPv6. */
  host: string | undefined;
  port: number;
  /** As the user wrote it, e.g. ":9725". */
  text: string;
  /** Who set it: "--listen", or "FILE:LINE: listen". */
  origin: string;
}

/** The effective configuration after defaults, the config file and flags are merged. */
export interface ProbeConfig {
  intervalMs: number;
  /** The floor under intervalMs; lowered only by --min-interval for tests and the lab. */
  minIntervalMs: number;
  listen: ListenAddress;
  connectTimeoutMs: number;
  greetingTimeoutMs: number;
  dnsServers: string[];
  family: FamilyChoice;
  /** How many attempts may be in flight at once to one target. */
  concurrency: number;
  /** How many sockets a pass may hold open at once, all destinations together. */
  maxSockets: number;
  /** Minimum gap between the starts of two attempts to the same address. */
  hostSpacingMs: number;
  targets: TargetSpec[];
  relays: RelaySpec[];
  cloud: CloudDetectionConfig;
}
