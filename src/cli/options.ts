// Flag parsers: each checks one value and, when it refuses it, names the flag and what it
// expects in one sentence, which commander prints as one line (exit 2). The values mean the
// same as in the config file: both go through config/values.ts.

import { InvalidArgumentError } from 'commander';
import { parseDurationMs } from '../config/duration.js';
import type { ListenAddress } from '../config/types.js';
import {
  isValidTargetName,
  normalizeDnsServer,
  normalizeTargetName,
  parseFamily,
  parseListen,
  parsePortList,
} from '../config/values.js';
import { isLogLevel, type LogLevel } from '../log.js';
import type { FamilyChoice } from '../types.js';

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
  textfile?: string;
  cloudDetection: boolean;
}

/** A mistake in how the command was called (not in a config file). */
export class UsageError extends Error {}

export function collect<T>(parse: (value: string) => T): (value: string, previous: T[]) => T[] {
  return (value, previous) => [...previous, parse(value)];
}

export function targetName(flag: string): (value: string) => string {
  return (value) => {
    if (!isValidTargetName(value))
      throw new InvalidArgumentError(`${flag} expects a domain or host name, got "${value}".`);
    return normalizeTargetName(value);
  };
}

export function parsePortsFlag(value: string): number[] {
  const ports = parsePortList(value);
  if (!ports)
    throw new InvalidArgumentError(
      'expected comma-separated ports from 1 to 65535, e.g. 25,587,465.',
    );
  return ports;
}

export function parseFamilyFlag(value: string): FamilyChoice {
  const family = parseFamily(value);
  if (family === undefined) throw new InvalidArgumentError('expected 4, 6 or any.');
  return family;
}

export function parseDnsServerFlag(value: string): string {
  const server = normalizeDnsServer(value);
  if (!server)
    throw new InvalidArgumentError(
      'expected an IP address with an optional port, e.g. 192.0.2.53 or [2001:db8::53]:5353.',
    );
  return server;
}

export function parseListenFlag(value: string): ListenAddress {
  const parsed = parseListen(value);
  if (!parsed)
    throw new InvalidArgumentError('expected [ADDR]:PORT, e.g. :9725 or 127.0.0.1:9725.');
  return { ...parsed, text: value, origin: '--listen' };
}

export function parseLogLevelFlag(value: string): LogLevel {
  if (!isLogLevel(value)) throw new InvalidArgumentError('expected debug, info, warn or error.');
  return value;
}

export function durationFlag(flag: string): (value: string) => number {
  return (value) => {
    const ms = parseDurationMs(value);
    if (ms === undefined || ms <= 0)
      throw new InvalidArgumentError(
        `${flag} expects a duration in ms or with a unit, e.g. 2500, 2.5s, 5m.`,
      );
    return ms;
  };
}

export function integerFlag(flag: string, min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(`${flag} expects a whole number from ${min} to ${max}.`);
    return n;
  };
}
