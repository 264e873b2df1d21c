// Flag parsers: each checks one value and, when it refuses it, names the flag and what it
// expects in one sentence, which commander prints as one line (exit 2). The values mean the
// same as in the config file: both go through config/values.ts. Nothing here loads commander:
// --help reads the flags without it.

import { DEFAULTS, DURATION_BOUNDS, type DurationBounds } from '../config/defaults.js';
import { describeBounds, parseDurationMs } from '../config/duration.js';
import type { ListenAddress } from '../config/types.js';
import { canonicalAddress } from '../util/ip.js';
import {
  isDnsZoneName,
  normalizeDnsServer,
  parseFamily,
  parseListen,
  parsePortList,
  normalizeTargetName,
  parseTargetName,
} from '../config/values.js';
import { isLogFormat, isLogLevel, LOG_FORMATS, type LogLevel } from '../log.js';
import { printable } from '../util/printable.js';
import type { FamilyChoice } from '../types.js';

/** A flag value that its parser refuses; the message says what was expected. */
export class FlagValueError extends Error {}

/** What `probe` accepts; every value already checked by its option's parser. */
export interface ProbeFlags {
  once?: boolean;
  json?: boolean;
  config?: string;
  domain: string[];
  host: string[];
  ports?: number[];
  family?: FamilyChoice;
  dnsServer: string[];
  connectTimeout?: number;
  greetingTimeout?: number;
  listen?: ListenAddress;
  interval?: number;
  minInterval?: number;
  concurrency?: number;
  maxSockets?: number;
  logLevel?: LogLevel;
  logFormat?: LogFormatChoice;
  webConfigFile?: string;
  textfile?: string;
  cloudDetection: boolean;
  dnsbl?: string[];
  egressAddress: string[];
}

export type LogFormatChoice = (typeof LOG_FORMATS)[number];

/** What commander hands the `probe` action: ProbeFlags' values under the flags' own keys. */
export type ProbeOptions = Omit<
  ProbeFlags,
  'config' | 'listen' | 'logLevel' | 'logFormat' | 'domain' | 'host' | 'dnsServer' | 'egressAddress'
> &
  Partial<Record<'domain' | 'host' | 'dnsServer' | 'egressAddress', string[]>> &
  Partial<Record<'config.file' | 'config' | 'web.config.file', string>> &
  Partial<Record<'web.listenAddress' | 'listen', ListenAddress>> &
  Partial<Record<'log.level' | 'logLevel', LogLevel>> & { 'log.format'?: LogFormatChoice };

/** One name per setting, whichever spelling was used. */
export function probeFlags(options: ProbeOptions): ProbeFlags {
  const {
    'config.file': configFile,
    config,
    'web.listenAddress': webListen,
    listen,
    'log.level': level,
    logLevel,
    'log.format': logFormat,
    'web.config.file': webConfigFile,
    domain = [],
    host = [],
    dnsServer = [],
    egressAddress = [],
    ...rest
  } = options;
  const flags: ProbeFlags = { ...rest, domain, host, dnsServer, egressAddress };
  const chosen = {
    config: configFile ?? config,
    listen: webListen ?? listen,
    logLevel: level ?? logLevel,
    logFormat,
    webConfigFile,
  };
  for (const [key, value] of Object.entries(chosen))
    if (value !== undefined) Object.assign(flags, { [key]: value });
  return flags;
}

/** A repeatable flag: every value, in order (undefined when the flag is not given). */
export function collect<T>(
  parse: (value: string) => T,
): (value: string, previous: T[] | undefined) => T[] {
  return (value, previous) => [...(previous ?? []), parse(value)];
}

export function targetName(flag: string): (value: string) => string {
  return (value) => {
    const name = parseTargetName(value);
    if (name === undefined)
      throw new FlagValueError(
        `${flag} expects a domain or host name, got ${printable(JSON.stringify(value), 80)}.`,
      );
    return name;
  };
}

export function parsePortsFlag(value: string): number[] {
  const ports = parsePortList(value);
  if (!ports)
    throw new FlagValueError('expected comma-separated ports from 1 to 65535, e.g. 25,587,465.');
  return ports;
}

export function parseFamilyFlag(value: string): FamilyChoice {
  const family = parseFamily(value);
  if (family === undefined) throw new FlagValueError('expected 4, 6 or any.');
  return family;
}

export function parseDnsServerFlag(value: string): string {
  const server = normalizeDnsServer(value);
  if (!server)
    throw new FlagValueError(
      'expected an IP address with an optional port, e.g. 192.0.2.53 or [2001:db8::53]:5353.',
    );
  return server;
}

/** `--web.listen-address` (or its alias): messages about the address name the flag used. */
export function listenFlag(flag: string): (value: string) => ListenAddress {
  return (value) => {
    const parsed = parseListen(value);
    if (!parsed)
      throw new FlagValueError(
        'expected [IP]:PORT with an IP address (no name), e.g. :9725, 127.0.0.1:9725 or [::1]:9725.',
      );
    return { ...parsed, text: value, origin: flag };
  };
}

export const parseListenFlag = listenFlag('--web.listen-address');

export function parseLogLevelFlag(value: string): LogLevel {
  if (!isLogLevel(value)) throw new FlagValueError('expected debug, info, warn or error.');
  return value;
}

export function parseLogFormatFlag(value: string): LogFormatChoice {
  if (!isLogFormat(value)) throw new FlagValueError('expected logfmt or json.');
  return value;
}

export function durationFlag(flag: string, bounds: DurationBounds): (value: string) => number {
  return (value) => {
    const ms = parseDurationMs(value);
    if (ms === undefined || ms <= 0)
      throw new FlagValueError(
        `${flag} expects a duration in ms or with a unit, e.g. 2500, 2.5s, 5m.`,
      );
    if (ms < bounds.minMs || ms > bounds.maxMs)
      throw new FlagValueError(`${flag} expects a duration from ${describeBounds(bounds)}.`);
    return ms;
  };
}

export function integerFlag(flag: string, min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new FlagValueError(`${flag} expects a whole number from ${min} to ${max}.`);
    return n;
  };
}

/** "zen.spamhaus.org,bl.spamcop.net", or "none" for no DNSBL lookups. */
export function parseDnsblFlag(value: string): string[] {
  if (value.trim() === 'none') return [];
  const zones = value.split(',').map((z) => z.trim());
  if (zones.some((z) => !isDnsZoneName(z)))
    throw new FlagValueError(
      'expected comma-separated DNSBL zones, e.g. zen.spamhaus.org,bl.spamcop.net, or none.',
    );
  return [...new Set(zones.map(normalizeTargetName))];
}

export function parseEgressAddressFlag(value: string): string {
  const ip = canonicalAddress(value);
  if (ip === undefined)
    throw new FlagValueError('expected an IPv4 or IPv6 address, e.g. 203.0.113.7.');
  return ip.address;
}

/** Checks and converts a flag's value; `previous` is the value so far (repeatable flags). */
interface ParsesAFlag {
  // A method, so that parsers whose `previous` is a list (repeatable flags) fit beside the rest.
  parse(value: string, previous: unknown): unknown;
}
export type FlagParser = ParsesAFlag['parse'];

/**
 * How the value of each flag that takes one is checked, by the flag's long name (an alias has
 * its own entry, so its messages name the spelling used). cli/flags.ts holds the flags' words;
 * a test checks that the two tables name the same flags.
 */
export const FLAG_PARSERS: Readonly<Record<string, FlagParser>> = {
  '--domain': collect(targetName('--domain')),
  '--host': collect(targetName('--host')),
  '--ports': parsePortsFlag,
  '--family': parseFamilyFlag,
  '--dns-server': collect(parseDnsServerFlag),
  '--connect-timeout': durationFlag('--connect-timeout', DURATION_BOUNDS.connectTimeout),
  '--greeting-timeout': durationFlag('--greeting-timeout', DURATION_BOUNDS.greetingTimeout),
  '--concurrency': integerFlag('--concurrency', 1, DEFAULTS.maxConcurrency),
  '--max-sockets': integerFlag('--max-sockets', 1, DEFAULTS.maxMaxSockets),
  '--dnsbl': parseDnsblFlag,
  '--egress-address': collect(parseEgressAddressFlag),
  '--web.listen-address': listenFlag('--web.listen-address'),
  '--listen': listenFlag('--listen'),
  '--interval': durationFlag('--interval', DURATION_BOUNDS.interval),
  '--min-interval': durationFlag('--min-interval', DURATION_BOUNDS.minInterval),
  '--log.level': parseLogLevelFlag,
  '--log-level': parseLogLevelFlag,
  '--log.format': parseLogFormatFlag,
};
