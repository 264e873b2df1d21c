// The effective config as YAML-ready data, for `check-config`: every row of the settings table
// that a file may set, under the key a config file uses, so the output can be read back as a
// config. No secrets are held in a config.

import { metadataUrlKey, REGISTERED_CLOUDS } from '../clouds/registry.js';
import type { CanarySpec } from '../types.js';
import { formatDuration } from './duration.js';
import { fileValue, readField, settingRows } from './settings.js';
import type { ProbeConfig } from './types.js';

export function describeConfig(config: ProbeConfig): Record<string, unknown> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const [id, row] of settingRows()) {
    if (!row.inFile) continue;
    const value = readField(config, row.field);
    // An unset duration (splay 0: no splay) has no spelling a file accepts: it is left out.
    if (row.kind.name === 'duration' && value === 0) continue;
    const [first = id, key] = id.split('.');
    if (key === undefined) (out as Record<string, unknown>)[first] = fileValue(row.kind, value);
    else out[first] = { ...out[first], [key]: fileValue(row.kind, value) };
  }
  out.cloudDetection = {
    ...out.cloudDetection,
    ...Object.fromEntries(
      REGISTERED_CLOUDS.map((c) => [metadataUrlKey(c), config.cloud.metadataUrls[c.id] ?? '']),
    ),
  };
  return {
    ...out,
    targets: config.targets.map((t) => ({ [t.kind]: t.name, ports: t.ports })),
    relays: config.relays.map((r) => ({ ...r })),
    ...(config.identity === undefined ? {} : { identity: { ...config.identity } }),
    ...(config.canaries.length > 0 ? { canaries: config.canaries.map(describeCanary) } : {}),
  };
}

function describeCanary(canary: CanarySpec): Record<string, unknown> {
  const { timeoutMs, intervalMs, imap, ...rest } = canary;
  return {
    ...rest,
    imap: { ...imap },
    timeout: formatDuration(timeoutMs),
    interval: formatDuration(intervalMs),
  };
}
