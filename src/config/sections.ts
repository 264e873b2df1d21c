// The list-shaped sections of the config file (targets, relays, canaries), the identity: section
// and the cloud metadata URLs, one key per registered cloud: what the rows of config/settings.ts
// cannot be.
// Each checks its own keys and values through the Validator and returns what it could read.

import { metadataUrlKey, REGISTERED_CLOUDS } from '../clouds/registry.js';
import {
  RELAY_SECURITIES,
  type IdentitySettings,
  type RelaySecurity,
  type RelaySpec,
  type TargetSpec,
} from '../types.js';
import { DEFAULT_PORTS, DEFAULTS } from './defaults.js';
import type { CloudDetectionConfig } from './types.js';
import { isFqdn } from '../util/host-name.js';
import { printable } from '../util/printable.js';
import { isDnsZoneName, normalizeTargetName, uniq } from './values.js';
import { isPlainObject, type Path, type Validator } from './validator.js';

/** The canaries: their parser is config/canaries.ts, beside this file. */
export { readCanaries } from './canaries.js';

const TARGET_KEYS = ['domain', 'host', 'ports'] as const;
const RELAY_STRING_KEYS = [
  'username',
  'passwordFile',
  'passwordEnv',
  'testRecipient',
  'testSender',
] as const;
const RELAY_KEYS = ['name', 'host', 'port', 'secure', ...RELAY_STRING_KEYS] as const;

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

/** The metadata URL keys of `cloudDetection:`, one per registered cloud (`awsUrl`, …). */
export function cloudDetectionUrlKeys(): string[] {
  return REGISTERED_CLOUDS.map(metadataUrlKey);
}

/** The metadata URLs a `cloudDetection:` mapping sets, over those of `cloud`. */
export function readCloudUrls(
  v: Validator,
  value: Record<string, unknown>,
  path: Path,
  cloud: CloudDetectionConfig,
): CloudDetectionConfig {
  const urls = { ...cloud.metadataUrls };
  for (const module of REGISTERED_CLOUDS) {
    const key = metadataUrlKey(module);
    if (key in value) urls[module.id] = v.url(value[key], [...path, key]);
  }
  return { ...cloud, metadataUrls: urls };
}

// The `identity:` section (CONTRACT §11): checked only when present.
export const IDENTITY_KEYS = ['ehloName', 'sendingDomains', 'dkimSelectors'] as const;

/** Enough for every domain a VM sends for; the lookups per pass grow with the product. */
export const MAX_SENDING_DOMAINS = 20;
export const MAX_DKIM_SELECTORS = 10;

const SELECTOR = /^[a-z0-9](?:[a-z0-9_-]{0,62})(?:\.[a-z0-9](?:[a-z0-9_-]{0,62}))*$/i;

function defaultIdentity(): IdentitySettings {
  return { sendingDomains: [], dkimSelectors: [] };
}

export function readIdentity(v: Validator, value: unknown, path: Path): IdentitySettings {
  const identity = defaultIdentity();
  if (!isPlainObject(value)) {
    v.fail(path, `a mapping (${IDENTITY_KEYS.join(', ')})`, value);
    return identity;
  }
  v.keys(value, path, IDENTITY_KEYS);
  if ('ehloName' in value) {
    const name = value.ehloName;
    if (typeof name === 'string' && isFqdn(name)) identity.ehloName = normalizeTargetName(name);
    else
      v.fail([...path, 'ehloName'], 'a fully qualified host name such as mail.example.com', name);
  }
  if ('sendingDomains' in value) {
    identity.sendingDomains = readNames(v, value.sendingDomains, [...path, 'sendingDomains'], {
      max: MAX_SENDING_DOMAINS,
      entry: 'a domain name such as example.com',
      valid: isDnsZoneName,
    });
  }
  if ('dkimSelectors' in value) {
    identity.dkimSelectors = readNames(v, value.dkimSelectors, [...path, 'dkimSelectors'], {
      max: MAX_DKIM_SELECTORS,
      entry: 'a DKIM selector such as s1 or google',
      valid: (s) => SELECTOR.test(s),
    });
  }
  return identity;
}

interface NameList {
  max: number;
  entry: string;
  valid: (text: string) => boolean;
}

function readNames(v: Validator, value: unknown, path: Path, list: NameList): string[] {
  if (!Array.isArray(value)) {
    v.fail(path, `a list of names (${list.entry})`, value);
    return [];
  }
  const entries = v.boundedList(value, path, list.max, 'entries');
  if (entries === undefined) return [];
  const names: string[] = [];
  entries.forEach((entry, i) => {
    if (typeof entry === 'string' && list.valid(entry)) names.push(normalizeTargetName(entry));
    else v.fail([...path, i], list.entry, entry);
  });
  return uniq(names);
}
