// The parsers of the settings table's kinds (config/settings.ts), named by kind: one reads a
// value from the config file (through the Validator, so a mistake is "FILE:LINE: key: expected
// …, got …"), the other reads a flag's text (a refusal says what was expected, for a line that
// names the flag). Both go through config/values.ts, so a value means the same wherever it is
// given. Pure.

import { canonicalAddress } from '../util/ip.js';
import { describeBounds, parseDurationMs } from './duration.js';
import type { Kind, KindName, KindValues } from './settings.js';
import type { ListenAddress } from './types.js';
import type { Path, Validator } from './validator.js';
import {
  isDnsZoneName,
  normalizeDnsServer,
  normalizeTargetName,
  parseFamily,
  parseListen,
  uniq,
} from './values.js';

/** A flag's value, or what was expected instead (words after "expects"). */
export type FlagParse<T> = { ok: true; value: T } | { ok: false; expected: string };

/** Reads a config file's value for a row of this kind; `fallback` when it is refused. */
export function readFileValue(
  v: Validator,
  kind: Kind,
  value: unknown,
  path: Path,
  fallback: unknown,
): unknown {
  switch (kind.name) {
    case 'duration':
      return v.duration(value, path, kind);
    case 'count':
      return v.integer(value, path, kind.min, kind.max);
    case 'family':
      return v.family(value, path);
    case 'listen':
      return v.listen(value, path, fallback as ListenAddress);
    case 'dnsServers':
      return v.dnsServers(value, path);
    case 'dnsZones':
      return readList(v, value, path, ZONE, (entry) =>
        typeof entry === 'string' && isDnsZoneName(entry) ? normalizeTargetName(entry) : undefined,
      );
    case 'addresses':
      return readList(v, value, path, ADDRESS, (entry) =>
        typeof entry === 'string' ? canonicalAddress(entry)?.address : undefined,
      );
    case 'boolean':
      return v.boolean(value, path) ?? fallback;
    case 'text':
      return v.string(value, path);
  }
}

/**
 * Reads a flag's text for a row of this kind. A list kind gives the entries of one use (a
 * repeatable flag's uses are joined by the caller); `origin` is the flag as the user spelled it.
 */
export function parseFlagText<N extends KindName>(
  kind: Extract<Kind, { name: N }>,
  text: string,
  origin: string,
): FlagParse<KindValues[N]>;
export function parseFlagText(kind: Kind, text: string, origin: string): FlagParse<unknown> {
  switch (kind.name) {
    case 'duration': {
      const ms = parseDurationMs(text);
      if (ms === undefined || ms <= 0)
        return refuse('a duration in ms or with a unit, e.g. 2500, 2.5s, 5m');
      if (ms < kind.minMs || ms > kind.maxMs)
        return refuse(`a duration from ${describeBounds(kind)}`);
      return accept(ms);
    }
    case 'count': {
      const n = Number(text);
      if (text.trim() === '' || !Number.isInteger(n) || n < kind.min || n > kind.max)
        return refuse(`a whole number from ${kind.min} to ${kind.max}`);
      return accept(n);
    }
    case 'family':
      return orRefuse(parseFamily(text), '4, 6 or any');
    case 'listen': {
      const parsed = parseListen(text);
      return parsed === undefined
        ? refuse(`[HOST]:PORT, e.g. :9725, 127.0.0.1:9725, [::1]:9725 or localhost:9725`)
        : accept({ ...parsed, text, origin });
    }
    case 'dnsServers': {
      const server = normalizeDnsServer(text);
      return server === undefined
        ? refuse('an IP address with an optional port, e.g. 192.0.2.53 or [2001:db8::53]:5353')
        : accept([server]);
    }
    case 'dnsZones':
      return parseZones(text);
    case 'addresses': {
      const ip = canonicalAddress(text);
      return ip === undefined
        ? refuse('an IPv4 or IPv6 address, e.g. 203.0.113.7')
        : accept([ip.address]);
    }
    case 'boolean':
      return orRefuse(
        text === 'true' ? true : text === 'false' ? false : undefined,
        'true or false',
      );
    case 'text':
      return text === '' ? refuse('a value') : accept(text);
  }
}

/** "zen.spamhaus.org,bl.spamcop.net", or "none" for no DNSBL lookups. */
function parseZones(text: string): FlagParse<string[]> {
  if (text.trim() === 'none') return accept([]);
  const zones = text.split(',').map((z) => z.trim());
  if (zones.some((z) => !isDnsZoneName(z)))
    return refuse('comma-separated DNSBL zones, e.g. zen.spamhaus.org,bl.spamcop.net, or none');
  return accept(uniq(zones.map(normalizeTargetName)));
}

const accept = <T>(value: T): FlagParse<T> => ({ ok: true, value });
const refuse = (expected: string): FlagParse<never> => ({ ok: false, expected });
const orRefuse = <T>(value: T | undefined, expected: string): FlagParse<T> =>
  value === undefined ? refuse(expected) : accept(value);

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
