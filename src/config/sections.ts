// The list-shaped and nested sections of the config file: targets, relays and cloud detection.
// Each checks its own keys and values through the Validator and returns what it could read.

import { metadataUrlKey, REGISTERED_CLOUDS } from '../clouds/registry.js';
import { RELAY_SECURITIES, type RelaySecurity, type RelaySpec, type TargetSpec } from '../types.js';
import { canonicalAddress } from '../util/ip.js';
import { defaultCloudDetection, defaultReputation } from './default-config.js';
import { DEFAULT_PORTS, DEFAULTS, DURATION_BOUNDS } from './defaults.js';
import type { CloudDetectionConfig, MetricsConfig, ReputationConfig } from './types.js';
import { isDnsZoneName, normalizeTargetName, uniq } from './values.js';
import { printable } from '../util/printable.js';
import { isPlainObject, type Path, type Validator } from './validator.js';

const TARGET_KEYS = ['domain', 'host', 'ports'] as const;
const RELAY_STRING_KEYS = [
  'username',
  'passwordFile',
  'passwordEnv',
  'testRecipient',
  'testSender',
] as const;
const RELAY_KEYS = ['name', 'host', 'port', 'secure', ...RELAY_STRING_KEYS] as const;

/** The keys of `cloudDetection:`, one URL key per registered cloud. */
export function cloudDetectionKeys(): string[] {
  return ['enabled', ...REGISTERED_CLOUDS.map(metadataUrlKey), 'timeout', 'dmiAssetTagPath'];
}

export function readTargets(v: Validator, value: unknown, path: Path): TargetSpec[] {
  if (!Array.isArray(value) || value.length === 0) {
    v.fail(path, 'a non-empty list of targets (each with domain: or host:)', value);
    return [];
  }
  const entries = v.boundedList(value, path, DEFAULTS.maxTargets, 'targets');
  if (entries === undefined) return [];
  return entries.flatMap((entry, i): TargetSpec[] => {
    const here = [...path, i];
    if (!isPlainObject(entry)) {
      v.fail(here, 'a mapping with domain: or host: and ports:', entry);
      return [];
    }
    v.keys(entry, here, TARGET_KEYS);
    const ports = 'ports' in entry ? v.ports(entry.ports, [...here, 'ports']) : [...DEFAULT_PORTS];
    if ('domain' in entry && 'host' in entry) {
      v.problem(here, 'give either domain: or host:, not both');
      return [];
    }
    if ('domain' in entry) {
      const name = v.name(entry.domain, [...here, 'domain'], 'a mail domain such as example.com');
      return [{ kind: 'domain', name, ports }];
    }
    if ('host' in entry) {
      const name = v.name(entry.host, [...here, 'host'], 'a host name or IP address');
      return [{ kind: 'host', name, ports }];
    }
    v.problem(here, 'missing domain: or host:');
    return [];
  });
}

export function readRelays(v: Validator, value: unknown, path: Path): RelaySpec[] {
  if (!Array.isArray(value)) {
    v.fail(path, 'a list of relays', value);
    return [];
  }
  const entries = v.boundedList(value, path, DEFAULTS.maxRelays, 'relays');
  if (entries === undefined) return [];
  const names = new Set<string>();
  return entries.flatMap((entry, i): RelaySpec[] => {
    const here = [...path, i];
    if (!isPlainObject(entry)) {
      v.fail(here, 'a mapping with name:, host: and port:', entry);
      return [];
    }
    v.keys(entry, here, RELAY_KEYS);
    const name = v.string(entry.name, [...here, 'name'], 'a relay name');
    if (names.has(name))
      v.problem([...here, 'name'], `duplicate relay name ${printable(JSON.stringify(name), 80)}`);
    names.add(name);
    const relay: RelaySpec = {
      name,
      host: v.name(entry.host, [...here, 'host'], 'a host name or IP address'),
      port: v.port(entry.port, [...here, 'port']),
      secure: 'starttls',
    };
    if ('secure' in entry) {
      const secure = entry.secure;
      if (isRelaySecurity(secure)) relay.secure = secure;
      else
        v.fail(
          [...here, 'secure'],
          RELAY_SECURITIES.join(', ').replace(/, (\w+)$/, ' or $1'),
          secure,
        );
    }
    for (const key of RELAY_STRING_KEYS) {
      if (key in entry) relay[key] = v.string(entry[key], [...here, key]);
    }
    if (relay.passwordFile !== undefined && relay.passwordEnv !== undefined) {
      v.problem(here, 'give either passwordFile: or passwordEnv:, not both');
    } else if (relay.username !== undefined && !hasPassword(relay)) {
      v.problem(here, 'username: is set but no password: give passwordFile: or passwordEnv:');
    } else if (relay.username === undefined && hasPassword(relay)) {
      v.problem(here, 'a password is given but no username:, so it would never be used');
    }
    return [relay];
  });
}

function hasPassword(relay: RelaySpec): boolean {
  return relay.passwordFile !== undefined || relay.passwordEnv !== undefined;
}

function isRelaySecurity(value: unknown): value is RelaySecurity {
  return (RELAY_SECURITIES as readonly unknown[]).includes(value);
}

export function readCloudDetection(v: Validator, value: unknown, path: Path): CloudDetectionConfig {
  const cloud = defaultCloudDetection();
  const keys = cloudDetectionKeys();
  if (!isPlainObject(value)) {
    v.fail(path, `a mapping (${keys.join(', ')})`, value);
    return cloud;
  }
  v.keys(value, path, keys);
  if ('enabled' in value) cloud.enabled = v.boolean(value.enabled, [...path, 'enabled']) ?? true;
  const urls = { ...cloud.metadataUrls };
  for (const module of REGISTERED_CLOUDS) {
    const key = metadataUrlKey(module);
    if (key in value) urls[module.id] = v.url(value[key], [...path, key]);
  }
  cloud.metadataUrls = urls;
  if ('dmiAssetTagPath' in value)
    cloud.dmiAssetTagPath = v.string(value.dmiAssetTagPath, [...path, 'dmiAssetTagPath']);
  if ('timeout' in value)
    cloud.timeoutMs = v.duration(
      value.timeout,
      [...path, 'timeout'],
      DURATION_BOUNDS.cloudDetectionTimeout,
    );
  return cloud;
}

export function readMetrics(v: Validator, value: unknown, path: Path): MetricsConfig {
  const metrics: MetricsConfig = { runtime: true };
  if (!isPlainObject(value)) {
    v.fail(path, 'a mapping (runtime)', value);
    return metrics;
  }
  v.keys(value, path, ['runtime']);
  if ('runtime' in value) metrics.runtime = v.boolean(value.runtime, [...path, 'runtime']) ?? true;
  return metrics;
}

const REPUTATION_KEYS = ['dnsbl', 'egressAddresses'] as const;

export function readReputation(v: Validator, value: unknown, path: Path): ReputationConfig {
  const reputation = defaultReputation();
  if (!isPlainObject(value)) {
    v.fail(path, `a mapping (${REPUTATION_KEYS.join(', ')})`, value);
    return reputation;
  }
  v.keys(value, path, REPUTATION_KEYS);
  if ('dnsbl' in value) {
    reputation.dnsbl = readList(v, value.dnsbl, [...path, 'dnsbl'], ZONE, (entry) =>
      typeof entry === 'string' && isDnsZoneName(entry) ? normalizeTargetName(entry) : undefined,
    );
  }
  if ('egressAddresses' in value) {
    const here = [...path, 'egressAddresses'];
    reputation.egressAddresses = readList(v, value.egressAddresses, here, ADDRESS, (entry) =>
      typeof entry === 'string' ? canonicalAddress(entry)?.address : undefined,
    );
  }
  return reputation;
}

/** What a list holds and what each entry must be, in the words of an error message. */
interface ListWords {
  list: string;
  entry: string;
}
const ZONE: ListWords = {
  list: 'DNSBL zones',
  entry: 'a DNSBL zone name such as zen.spamhaus.org',
};
const ADDRESS: ListWords = { list: 'IP addresses', entry: 'an IPv4 or IPv6 address' };

/** A list whose entries `read` accepts (undefined: refused, one problem each); no duplicates. */
function readList(
  v: Validator,
  value: unknown,
  path: Path,
  words: ListWords,
  read: (entry: unknown) => string | undefined,
): string[] {
  if (!Array.isArray(value)) {
    v.fail(path, `a list of ${words.list} ([] for none)`, value);
    return [];
  }
  return uniq(
    value.flatMap((entry, i) => {
      const accepted = read(entry);
      if (accepted === undefined) v.fail([...path, i], words.entry, entry);
      return accepted ?? [];
    }),
  );
}
