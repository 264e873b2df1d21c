import type { FamilyChoice, RelaySpec, TargetSpec } from './types.js';

/** Where cloud detection looks (base URLs are configurable so tests can use loopback). */
export interface CloudDetectionConfig {
  enabled: boolean;
  azureUrl: string;
  awsUrl: string;
  gcpUrl: string;
  /** Give up on every metadata service after this long. */
  timeoutMs: number;
  /** Path of the DMI chassis asset tag (Azure's free local signal). */
  dmiAssetTagPath: string;
}

/** The effective configuration after defaults, the config file and flags are merged. */
export interface ProbeConfig {
  intervalMs: number;
  /** The floor under intervalMs; lowered only by --min-interval for tests and the lab. */
  minIntervalMs: number;
  listen: string;
  connectTimeoutMs: number;
  greetingTimeoutMs: number;
  dnsServers: string[];
  family: FamilyChoice;
  /** How many attempts may be in flight at once. */
  concurrency: number;
  /** Minimum gap between the starts of two attempts to the same address. */
  hostSpacingMs: number;
  targets: TargetSpec[];
  relays: RelaySpec[];
  cloud: CloudDetectionConfig;
}
