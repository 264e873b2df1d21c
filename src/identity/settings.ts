// The `identity:` section of the config (CONTRACT §11): one problem per mistake, each naming
// the field and what was expected, through the config's Validator.

import { isPlainObject, type Path, type Validator } from '../config/validator.js';
import { isDnsZoneName, normalizeTargetName, uniq } from '../config/values.js';
import { isFqdn } from './ehlo.js';
import type { IdentitySettings } from './types.js';

export const IDENTITY_KEYS = ['ehloName', 'sendingDomains', 'dkimSelectors'] as const;

/** Enough for every domain a VM sends for; the lookups per pass grow with the product. */
export const MAX_SENDING_DOMAINS = 20;
export const MAX_DKIM_SELECTORS = 10;

const SELECTOR = /^[a-z0-9](?:[a-z0-9_-]{0,62})(?:\.[a-z0-9](?:[a-z0-9_-]{0,62}))*$/i;

export function defaultIdentity(): IdentitySettings {
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
