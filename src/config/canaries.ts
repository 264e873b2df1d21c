// The `canaries:` section of the config file (CONTRACT §12), checked through the config's
// Validator: one sentence per problem, naming the field. A canary sends one real message per
// run, so its interval has a floor of its own, far above the probe interval's.

import {
  RELAY_SECURITIES,
  type CanaryImapSpec,
  type CanarySpec,
  type RelaySecurity,
  type RelaySpec,
} from '../types.js';
import { isPlainObject, type Path, type Validator } from './validator.js';
import { formatDuration } from './duration.js';
import { printable } from '../util/printable.js';

export const CANARY_DEFAULTS = {
  timeoutMs: 5 * 60_000,
  intervalMs: 60 * 60_000,
  /** One real message per run: never more than four an hour, unless a test lowers it. */
  minIntervalMs: 15 * 60_000,
  /** Each canary is a message and a mailbox session per run. */
  maxCanaries: 16,
  imapPort: 993,
} as const;

export const CANARY_DURATION_BOUNDS = {
  timeout: { minMs: 5_000, maxMs: 3_600_000 },
  /** The floor is CANARY_DEFAULTS.minIntervalMs (or the test floor), checked apart. */
  interval: { minMs: 1_000, maxMs: 7 * 24 * 3_600_000 },
} as const;

const CANARY_KEYS = ['name', 'relay', 'from', 'to', 'imap', 'timeout', 'interval'] as const;
const IMAP_KEYS = ['host', 'port', 'secure', 'username', 'passwordFile', 'passwordEnv'] as const;
/** A canary's name is a metric label and part of its token: short and plain. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
const MAILBOX = /^[^\s@<>",;]+@[^\s@<>",;]+$/;

export interface CanaryReadOptions {
  /** The relays of the same config: a canary must name one of them. */
  relays: readonly RelaySpec[];
  /** The floor under `interval`; tests lower it, as --min-interval does for the daemon. */
  minIntervalMs?: number;
}

export function readCanaries(
  v: Validator,
  value: unknown,
  path: Path,
  options: CanaryReadOptions,
): CanarySpec[] {
  if (!Array.isArray(value)) {
    v.fail(path, 'a list of canaries', value);
    return [];
  }
  const entries = v.boundedList(value, path, CANARY_DEFAULTS.maxCanaries, 'canaries');
  if (entries === undefined) return [];
  const names = new Set<string>();
  return entries.flatMap((entry, i): CanarySpec[] => {
    const here = [...path, i];
    if (!isPlainObject(entry)) {
      v.fail(here, 'a mapping with name:, relay:, from:, to: and imap:', entry);
      return [];
    }
    v.keys(entry, here, CANARY_KEYS);
    const canary = readCanary(v, entry, here, options);
    if (names.has(canary.name))
      v.problem([...here, 'name'], `duplicate canary name ${JSON.stringify(canary.name)}`);
    names.add(canary.name);
    return [canary];
  });
}

function readCanary(
  v: Validator,
  entry: Record<string, unknown>,
  here: Path,
  options: CanaryReadOptions,
): CanarySpec {
  const floorMs = options.minIntervalMs ?? CANARY_DEFAULTS.minIntervalMs;
  return {
    name: pattern(
      v,
      entry.name,
      [...here, 'name'],
      NAME,
      'a name of letters, digits, ".", "_" or "-"',
    ),
    relay: relayName(v, entry.relay, [...here, 'relay'], options.relays),
    from: pattern(
      v,
      entry.from,
      [...here, 'from'],
      MAILBOX,
      'a mail address such as canary@example.com',
    ),
    to: pattern(v, entry.to, [...here, 'to'], MAILBOX, 'a mail address such as canary@example.net'),
    imap: readImap(v, entry.imap, [...here, 'imap']),
    timeoutMs:
      'timeout' in entry
        ? v.duration(entry.timeout, [...here, 'timeout'], CANARY_DURATION_BOUNDS.timeout)
        : CANARY_DEFAULTS.timeoutMs,
    intervalMs:
      'interval' in entry
        ? v.durationAtLeast(
            entry.interval,
            [...here, 'interval'],
            CANARY_DURATION_BOUNDS.interval,
            floorMs,
            `each run sends a real message; the floor is ${formatDuration(floorMs)}`,
          )
        : Math.max(CANARY_DEFAULTS.intervalMs, floorMs),
  };
}

function readImap(v: Validator, value: unknown, path: Path): CanaryImapSpec {
  const imap: CanaryImapSpec = {
    host: '',
    port: CANARY_DEFAULTS.imapPort,
    secure: 'tls',
    username: '',
  };
  if (!isPlainObject(value)) {
    v.fail(path, `a mapping (${IMAP_KEYS.join(', ')})`, value);
    return imap;
  }
  v.keys(value, path, IMAP_KEYS);
  imap.host = v.name(value.host, [...path, 'host'], 'a host name or IP address');
  if ('port' in value) imap.port = v.port(value.port, [...path, 'port']);
  if ('secure' in value) {
    if (isSecurity(value.secure)) imap.secure = value.secure;
    else v.fail([...path, 'secure'], 'tls, starttls or none', value.secure);
  }
  imap.username = v.string(value.username, [...path, 'username'], 'the IMAP user name');
  if ('passwordFile' in value)
    imap.passwordFile = v.string(value.passwordFile, [...path, 'passwordFile'], 'a file name');
  if ('passwordEnv' in value)
    imap.passwordEnv = v.string(value.passwordEnv, [...path, 'passwordEnv'], 'a variable name');
  if (imap.passwordFile !== undefined && imap.passwordEnv !== undefined)
    v.problem(path, 'give either passwordFile: or passwordEnv:, not both');
  else if (imap.passwordFile === undefined && imap.passwordEnv === undefined)
    v.problem(path, 'no password: give passwordFile: or passwordEnv:');
  return imap;
}

function relayName(v: Validator, value: unknown, path: Path, relays: readonly RelaySpec[]): string {
  const name = v.string(value, path, 'the name of a relay under relays:');
  if (name !== '' && !relays.some((relay) => relay.name === name)) {
    const known = relays.map((relay) => relay.name).join(', ');
    v.problem(
      path,
      `no relay is named ${printable(JSON.stringify(name), 80)}; ${known === '' ? 'relays: names none' : `configured: ${known}`}`,
    );
  }
  return name;
}

function pattern(v: Validator, value: unknown, path: Path, shape: RegExp, what: string): string {
  if (typeof value !== 'string' || !shape.test(value)) {
    v.fail(path, what, value);
    return '';
  }
  return value;
}

function isSecurity(value: unknown): value is RelaySecurity {
  return (RELAY_SECURITIES as readonly unknown[]).includes(value);
}
