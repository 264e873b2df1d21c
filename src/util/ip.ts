// IP addresses as mxprobe reads and compares them: one canonical spelling per address
// (RFC 5952), and the ranges that say nothing about what the Internet sees (private, shared,
// loopback, link-local). Shared by the config and flags (egress addresses) and reputation/.
// Pure.

import { BlockList, isIP } from 'node:net';
import type { Family } from '../types.js';

export interface IpAddress {
  address: string;
  family: Family;
}

/**
 * The canonical spelling of an IP address: IPv4 dotted quad, IPv6 compressed and lower case
 * (RFC 5952), an IPv4-mapped IPv6 address as its IPv4 address; an `IPv6:` prefix (the SMTP
 * address literal of RFC 5321 §4.1.3) is dropped. Undefined for anything else.
 */
export function canonicalAddress(text: string): IpAddress | undefined {
  const bare = text.trim().replace(/^ipv6:/i, '');
  const family = isIP(bare);
  if (family === 4) return { address: bare.split('.').map(Number).join('.'), family: 4 };
  if (family !== 6) return undefined;
  const groups = expandIpv6(bare);
  // ::ffff:a.b.c.d is an IPv4 peer seen through an IPv6 socket.
  if (groups.slice(0, 5).every((g) => g === '0000') && groups[5] === 'ffff') {
    const high = Number.parseInt(groups[6] ?? '0', 16);
    const low = Number.parseInt(groups[7] ?? '0', 16);
    return { address: [high >> 8, high & 255, low >> 8, low & 255].join('.'), family: 4 };
  }
  return { address: compressIpv6(groups), family: 6 };
}

/** The eight groups of an IPv6 address, four hex digits each (an IPv4 tail converted). */
export function expandIpv6(address: string): string[] {
  let text = address.toLowerCase();
  const v4Tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4Tail?.[1] !== undefined) {
    const [a = 0, b = 0, c = 0, d = 0] = v4Tail[1].split('.').map(Number);
    const hex = (n: number): string => n.toString(16);
    text = `${text.slice(0, v4Tail.index)}${hex((a << 8) | b)}:${hex((c << 8) | d)}`;
  }
  const [head = '', tail] = text.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const missing = 8 - headGroups.length - tailGroups.length;
  const groups = [
    ...headGroups,
    ...Array<string>(tail === undefined ? 0 : missing).fill('0'),
    ...tailGroups,
  ];
  return groups.map((g) => g.padStart(4, '0'));
}

/** RFC 5952: no leading zeros, the longest run (two or more) of zero groups as "::". */
function compressIpv6(groups: string[]): string {
  const short = groups.map((g) => g.replace(/^0+(?=.)/, ''));
  let best = { start: -1, length: 0 };
  for (let i = 0; i < short.length;) {
    if (short[i] !== '0') {
      i += 1;
      continue;
    }
    let j = i;
    while (j < short.length && short[j] === '0') j += 1;
    if (j - i > best.length) best = { start: i, length: j - i };
    i = j;
  }
  if (best.length < 2) return short.join(':');
  const before = short.slice(0, best.start).join(':');
  const after = short.slice(best.start + best.length).join(':');
  return `${before}::${after}`;
}

/**
 * Ranges that never identify this machine to the Internet (CONTRACT §10): RFC 1918 private,
 * RFC 6598 shared (carrier-grade NAT), loopback, link-local, IPv6 unique-local, and the
 * unspecified addresses. A server naming such an address shares a private network with us.
 */
const INTERNAL = new BlockList();
for (const [prefix, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
] as const) {
  INTERNAL.addSubnet(prefix, bits, 'ipv4');
}
for (const [prefix, bits] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
] as const) {
  INTERNAL.addSubnet(prefix, bits, 'ipv6');
}

/** Whether the address is private, shared, loopback, link-local or unspecified. */
export function isInternalAddress(ip: IpAddress): boolean {
  return INTERNAL.check(ip.address, ip.family === 4 ? 'ipv4' : 'ipv6');
}
