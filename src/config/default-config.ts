// The effective config before a file or flags change it: every row's default from
// config/settings.ts, with each registered cloud's standard metadata URL.

import { defaultMetadataUrls } from '../clouds/registry.js';
import { settingRows, writeField } from './settings.js';
import type { CloudDetectionConfig, ProbeConfig } from './types.js';

export function defaultConfig(): ProbeConfig {
  // The sections start empty; the table's completeness check (settings.ts) makes sure that
  // every other field is written below.
  const config = {
    targets: [],
    relays: [],
    canaries: [],
    cloud: { metadataUrls: defaultMetadataUrls() },
    reputation: {},
    metrics: {},
  } as unknown as ProbeConfig;
  for (const [, row] of settingRows()) writeField(config, row.field, copy(row.default));
  return config;
}

export function defaultCloudDetection(): CloudDetectionConfig {
  return defaultConfig().cloud;
}

/** Lists and objects are copied, so no config shares (and changes) the table's values. */
function copy(value: unknown): unknown {
  if (Array.isArray(value)) return [...(value as unknown[])];
  if (typeof value === 'object' && value !== null) return { ...value };
  return value;
}
