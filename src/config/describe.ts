// The effective config as YAML-ready data, for `check-config`: the same keys a config file
// uses, so the output can be read back as a config. No secrets are held in a config.

import { metadataUrlKey, REGISTERED_CLOUDS } from '../clouds/registry.js';
import { formatDuration } from './duration.js';
import type { CanarySpec } from '../canary/types.js';
import type { ProbeConfig } from './types.js';

export function describeConfig(config: ProbeConfig): Record<string, unknown> {
  return {
    interval: formatDuration(config.intervalMs),
    ...(config.splayMs > 0 ? { splay: formatDuration(config.splayMs) } : {}),
    listen: config.listen.text,
    connectTimeout: formatDuration(config.connectTimeoutMs),
    greetingTimeout: formatDuration(config.greetingTimeoutMs),
    dnsServers: config.dnsServers,
    family: config.family,
    concurrency: config.concurrency,
    maxSockets: config.maxSockets,
    hostSpacing: formatDuration(config.hostSpacingMs),
    cloudDetection: {
      enabled: config.cloud.enabled,
      ...Object.fromEntries(
        REGISTERED_CLOUDS.map((c) => [metadataUrlKey(c), config.cloud.metadataUrls[c.id] ?? '']),
      ),
      timeout: formatDuration(config.cloud.timeoutMs),
    },
    targets: config.targets.map((t) => ({ [t.kind]: t.name, ports: t.ports })),
    relays: config.relays.map((r) => ({ ...r })),
    metrics: { runtime: config.metrics.runtime },
    reputation: {
      dnsbl: config.reputation.dnsbl,
      egressAddresses: config.reputation.egressAddresses,
    },
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
