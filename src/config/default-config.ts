// The effective config before a file or flags change it: the values of config/defaults.ts,
// with each registered cloud's standard metadata URL.

import { defaultMetadataUrls } from '../clouds/registry.js';
import { DEFAULT_DNSBL_ZONES, DEFAULTS, defaultListen } from './defaults.js';
import type { CloudDetectionConfig, ProbeConfig, ReputationConfig } from './types.js';

export function defaultCloudDetection(): CloudDetectionConfig {
  return {
    enabled: true,
    metadataUrls: defaultMetadataUrls(),
    timeoutMs: DEFAULTS.cloudDetectionTimeoutMs,
    dmiAssetTagPath: DEFAULTS.dmiAssetTagPath,
  };
}

export function defaultReputation(): ReputationConfig {
  return { dnsbl: [...DEFAULT_DNSBL_ZONES], egressAddresses: [] };
}

export function defaultConfig(): ProbeConfig {
  return {
    intervalMs: DEFAULTS.intervalMs,
    splayMs: 0,
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
    reputation: defaultReputation(),
    metrics: { runtime: true },
    canaries: [],
  };
}
