// Checks one config value at a time against what it should be, recording one sentence per
// problem ("FILE:LINE: field: expected …, got …") and returning a usable value so that every
// problem of a file is found in one pass.

import { printable } from '../util/printable.js';
import type { DurationBounds } from './defaults.js';
import { describeBounds, formatDuration, parseDurationMs } from './duration.js';
import type { ListenAddress } from './types.js';
import { normalizeDnsServer, parseFamily, parseListen, parseTargetName, uniq } from './values.js';
import type { FamilyChoice } from '../types.js';

export type Path = (string | number)[];

export class Validator {
  constructor(
    readonly problems: string[],
    /** "FILE:LINE: field.path" for a path in the document. */
    readonly at: (path: Path) => string,
  ) {}

  fail(path: Path, expected: string, got: unknown): void {
    this.problems.push(`${this.at(path)}: expected ${expected}, got ${describe(got)}`);
  }

  problem(path: Path, sentence: string): void {
    this.problems.push(`${this.at(path)}: ${sentence}`);
  }

  /** A list of at most `max` entries, or a problem saying so (undefined then). */
  boundedList(value: unknown[], path: Path, max: number, what: string): unknown[] | undefined {
    if (value.length <= max) return value;
    this.problem(path, `${value.length} ${what}; at most ${max} are allowed in one config`);
    return undefined;
  }

  keys(value: Record<string, unknown>, path: Path, allowed: readonly string[]): void {
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key)) {
        this.problem([...path, key], `unknown key; expected one of ${allowed.join(', ')}`);
      }
    }
  }

  /** A duration within its field's bounds (defaults.ts, DURATION_BOUNDS). */
  duration(value: unknown, path: Path, bounds: DurationBounds): number {
    // Bare numbers are refused: "5" could mean seconds or milliseconds, and guessing is worse.
    const ms = typeof value === 'string' ? parseDurationMs(value) : undefined;
    if (ms === undefined || ms <= 0) {
      this.fail(path, 'a duration such as "1500ms", "10s" or "5m"', value);
      return 0;
    }
    if (ms < bounds.minMs || ms > bounds.maxMs) {
      this.fail(path, `a duration from ${describeBounds(bounds)}`, value);
      return 0;
    }
    return ms;
  }

  /** A duration within bounds and of at least `floorMs`, with the reason for the floor. */
  durationAtLeast(
    value: unknown,
    path: Path,
    bounds: DurationBounds,
    floorMs: number,
    why: string,
  ): number {
    const ms = this.duration(value, path, bounds);
    if (ms > 0 && ms < floorMs)
      this.fail(path, `at least ${formatDuration(floorMs)} (${why})`, value);
    return ms;
  }

  integer(value: unknown, path: Path, min: number, max: number): number {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      this.fail(path, `a whole number from ${min} to ${max}`, value);
      return min;
    }
    return value;
  }

  boolean(value: unknown, path: Path): boolean | undefined {
    if (typeof value === 'boolean') return value;
    this.fail(path, 'true or false', value);
    return undefined;
  }

  port(value: unknown, path: Path): number {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 65535) {
      this.fail(path, 'a port number from 1 to 65535', value);
      return 0;
    }
    return value;
  }

  ports(value: unknown, path: Path): number[] {
    if (!Array.isArray(value) || value.length === 0) {
      this.fail(path, 'a non-empty list of ports such as [25, 587, 465]', value);
      return [];
    }
    return uniq(value.map((p, i) => this.port(p, [...path, i])));
  }

  name(value: unknown, path: Path, what: string): string {
    const name = typeof value === 'string' ? parseTargetName(value) : undefined;
    if (name === undefined) {
      this.fail(path, what, value);
      return '';
    }
    return name;
  }

  string(value: unknown, path: Path, what = 'a string'): string {
    if (typeof value !== 'string' || value.length === 0) {
      this.fail(path, what, value);
      return '';
    }
    return value;
  }

  url(value: unknown, path: Path): string {
    const url = this.string(value, path, 'an http:// URL');
    if (url && !/^https?:\/\//.test(url)) this.fail(path, 'an http:// URL', url);
    return url;
  }

  listen(value: unknown, path: Path, fallback: ListenAddress): ListenAddress {
    const parsed = typeof value === 'string' ? parseListen(value) : undefined;
    if (typeof value !== 'string' || parsed === undefined) {
      this.fail(
        path,
        'an address and port to listen on such as ":9725", "127.0.0.1:9725", "[::1]:9725" or "localhost:9725"',
        value,
      );
      return fallback;
    }
    return { ...parsed, text: value, origin: this.at(path) };
  }

  family(value: unknown, path: Path): FamilyChoice {
    const family = parseFamily(String(value));
    if (family === undefined) {
      this.fail(path, '4, 6 or any', value);
      return 'any';
    }
    return family;
  }

  dnsServers(value: unknown, path: Path): string[] {
    if (!Array.isArray(value)) {
      this.fail(path, 'a list of DNS server addresses (ADDR or ADDR:PORT)', value);
      return [];
    }
    return value.map((entry, i) => {
      const server = typeof entry === 'string' ? normalizeDnsServer(entry) : undefined;
      if (server === undefined)
        this.fail([...path, i], 'an IP address with an optional port', entry);
      return server ?? '';
    });
  }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A found value as the message quotes it: short, and with control characters escaped. */
function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return printable(JSON.stringify(value), 80);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return typeof value;
}

/** "targets[0].ports[1]"; keys come from the file, so they are escaped and cut short. */
export function formatPath(path: Path): string {
  return path.reduce<string>((out, part) => {
    if (typeof part === 'number') return `${out}[${part}]`;
    const key = printable(part, 60);
    return out ? `${out}.${key}` : key;
  }, '');
}
