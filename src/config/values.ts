// Parsers for the values people write, shared by the config file and the flags, so that a
// value means the same wherever it is given. Pure: each returns undefined for text it refuses,
// and the caller words the error for its own place (a flag, or a file, line and field).

import { isIP } from 'node:net';
import type { FamilyChoice } from '../types.js';

export function parseFamily(text: string): FamilyChoice | undefined {
  if (text === '4') return 4;
  if (text === '6') return 6;
  if (text === 'any') return 'any';
  return undefined;
}

/** "ADDR", "ADDR:PORT", "[V6]:PORT" or a bare IPv6 address, in the form c-ares accepts. */
export function normalizeDnsServer(text: string): string | undefined {
  if (isIP(text)) return text;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (bracketed) {
    const [, address = '', port] = bracketed;
    if (isIP(address) !== 6 || (port !== undefined && !isPortText(port))) return undefined;
    return port ? `[${address}]:${port}` : address;
  }
  const hostPort = /^([^:]+):(\d+)$/.exec(text);
  if (hostPort && isIP(hostPort[1] ?? '') === 4 && isPortText(hostPort[2] ?? '')) return text;
  return undefined;
}

/** ":9725" (every interface), "127.0.0.1:9725", "[::1]:9725". */
export function parseListen(text: string): { host: string | undefined; port: number } | undefined {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d+)$/.exec(text);
  if (!match) return undefined;
  const host = match[1] ?? (match[2] || undefined);
  const port = Number(match[3]);
  if (!isPortText(match[3] ?? '') || port === 0) return undefined;
  if (host !== undefined && match[1] !== undefined && isIP(host) !== 6) return undefined;
  return { host, port };
}

export function parsePortList(text: string): number[] | undefined {
  const parts = text.split(',').map((p) => p.trim());
  if (parts.length === 0 || parts.some((p) => !isPortText(p) || Number(p) === 0)) return undefined;
  return uniq(parts.map(Number));
}

function isPortText(text: string): boolean {
  return /^\d{1,5}$/.test(text) && Number(text) <= 65535;
}

/** A host name (letters, digits, hyphens, underscores; dots between labels) or an IP address. */
export function isValidTargetName(text: string): boolean {
  if (isIP(text)) return true;
  return /^(?=.{1,253}\.?$)([a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?)(\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?)*\.?$/i.test(
    text,
  );
}

/** A DNS zone such as a DNSBL's (`zen.spamhaus.org`): a name with a dot, never an address. */
export function isDnsZoneName(text: string): boolean {
  return isIP(text) === 0 && text.replace(/\.$/, '').includes('.') && isValidTargetName(text);
}

/** A target name as mxprobe keeps it: lower case, without the root's trailing dot. */
export function normalizeTargetName(text: string): string {
  return text.replace(/\.$/, '').toLowerCase();
}

export function uniq<T>(values: T[]): T[] {
  return [...new Set(values)];
}
