// Parsers for the values people write, shared by the config file and the flags, so that a
// value means the same wherever it is given. Pure: each returns undefined for text it refuses,
// and the caller words the error for its own place (a flag, or a file, line and field).

import { isIP } from 'node:net';
import { domainToASCII } from 'node:url';
import type { FamilyChoice, TargetSpec } from '../types.js';
import { normalizeHostName } from '../util/host-name.js';

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

/**
 * ":9725" (every interface), "127.0.0.1:9725", "[::1]:9725" or "localhost:9725". A host name is
 * kept as written: the daemon resolves it once when it starts (cli/listen-address.ts), and
 * reading a config never asks DNS.
 */
export function parseListen(text: string): { host: string | undefined; port: number } | undefined {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d+)$/.exec(text);
  if (!match) return undefined;
  const port = Number(match[3]);
  if (!isPortText(match[3] ?? '') || port === 0) return undefined;
  if (match[1] !== undefined) return isIP(match[1]) === 6 ? { host: match[1], port } : undefined;
  const host = match[2] ?? '';
  if (host === '') return { host: undefined, port };
  if (isIP(host) === 4) return { host, port };
  const name = parseTargetName(host);
  return name === undefined || isIP(name) !== 0 ? undefined : { host: name, port };
}

export function parsePortList(text: string): number[] | undefined {
  const parts = text.split(',').map((p) => p.trim());
  if (parts.length === 0 || parts.some((p) => !isPortText(p) || Number(p) === 0)) return undefined;
  return uniq(parts.map(Number));
}

function isPortText(text: string): boolean {
  return /^\d{1,5}$/.test(text) && Number(text) <= 65535;
}

const HOST_NAME =
  /^(?=.{1,253}\.?$)([a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?)(\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?)*\.?$/i;

/**
 * A target name as mxprobe keeps it, or undefined when the text is none: an IP address (IPv6
 * in its canonical short form, so one address is one target however it is written), or a host
 * name in lower case without the root's trailing dot, an internationalized name in its ASCII
 * (xn--) form. A name whose last label is all digits ("127.000.000.001", "10.1") is refused:
 * it is no host name, and looks like an address that is not one. Pure, and asks no DNS.
 */
export function parseTargetName(text: string): string | undefined {
  const family = isIP(text);
  if (family === 4) return text;
  // "192.0.2.1." is the address with the root's dot, as a name would carry it.
  if (text.endsWith('.') && isIP(text.slice(0, -1)) === 4) return text.slice(0, -1);
  if (family === 6) return canonicalIpv6(text);
  const lastLabel = text.replace(/\.$/, '').split('.').pop() ?? '';
  if (/^(\d+|0x[0-9a-f]*)$/i.test(lastLabel)) return undefined;
  // WHATWG's domain-to-ASCII: IDN to xn--, lower case, and invalid xn-- labels refused.
  const ascii = domainToASCII(text);
  if (ascii === '' || !HOST_NAME.test(ascii)) return undefined;
  return ascii.replace(/\.$/, '');
}

function canonicalIpv6(text: string): string {
  // A zone ("fe80::1%eth0") has no URL form; it is kept as written, in lower case.
  if (text.includes('%')) return text.toLowerCase();
  return new URL(`http://[${text}]`).hostname.slice(1, -1);
}

/**
 * Targets named more than once (same kind and name) made one, their ports joined in the order
 * first given, so no address is dialled twice in a pass. Returns what was merged, one entry per
 * name ("host 127.0.0.1 ×2"), for a warning. Pure.
 */
export function dedupeTargets(targets: TargetSpec[]): { targets: TargetSpec[]; merged: string[] } {
  const byKey = new Map<string, { spec: TargetSpec; count: number }>();
  for (const target of targets) {
    const key = `${target.kind} ${target.name}`;
    const seen = byKey.get(key);
    if (seen === undefined)
      byKey.set(key, { spec: { ...target, ports: [...target.ports] }, count: 1 });
    else {
      seen.spec.ports = uniq([...seen.spec.ports, ...target.ports]);
      seen.count += 1;
    }
  }
  const merged = [...byKey]
    .filter(([, { count }]) => count > 1)
    .map(([key, { count }]) => `${key} ×${count}`);
  return { targets: [...byKey.values()].map(({ spec }) => spec), merged };
}

/** A DNS zone such as a DNSBL's (`zen.spamhaus.org`): a name with a dot, never an address. */
export function isDnsZoneName(text: string): boolean {
  return (
    isIP(text) === 0 && text.replace(/\.$/, '').includes('.') && parseTargetName(text) !== undefined
  );
}

/** A target name as mxprobe keeps it: lower case, without the root's trailing dot. */
export const normalizeTargetName = normalizeHostName;

export function uniq<T>(values: T[]): T[] {
  return [...new Set(values)];
}
