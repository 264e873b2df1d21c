// IP addresses as egress identity deals with them (their spelling and ranges are
// util/ip.ts's): the names DNS knows an address by (in-addr.arpa / ip6.arpa, and a DNSBL zone's
// format, RFC 5782 §2.1 and §2.4), and the addresses a mail server names in square brackets
// in its greeting or EHLO reply. Pure.

import { canonicalAddress, expandIpv6, type IpAddress } from '../util/ip.js';

export { canonicalAddress, expandIpv6, isInternalAddress, type IpAddress } from '../util/ip.js';

/** The labels of the address, most specific first: reversed octets or reversed nibbles. */
export function reversedLabels(ip: IpAddress): string {
  if (ip.family === 4) return ip.address.split('.').reverse().join('.');
  return expandIpv6(ip.address).join('').split('').reverse().join('.');
}

/** Where the address's PTR records live: `7.113.0.203.in-addr.arpa`, `….0.1.0.0.2.ip6.arpa`. */
export function reverseName(ip: IpAddress): string {
  return `${reversedLabels(ip)}.${ip.family === 4 ? 'in-addr.arpa' : 'ip6.arpa'}`;
}

/** The name a DNSBL zone answers for the address: `7.113.0.203.zen.spamhaus.org`. */
export function dnsblQueryName(ip: IpAddress, zone: string): string {
  return `${reversedLabels(ip)}.${zone.replace(/\.$/, '')}`;
}

/**
 * Every IP address named in square brackets, in order of appearance, each once:
 * `Client host [203.0.113.7] blocked`, `at your service, [2001:db8::7]`,
 * `Hello [IPv6:2001:db8::7]`, and Gmail's `[203.0.113.7      15]` (the address, then a
 * counter). Brackets around anything else (a host name) are skipped.
 */
export function addressesInBrackets(text: string): IpAddress[] {
  const found: IpAddress[] = [];
  for (const match of text.matchAll(/\[\s*([^\]\s]{2,64})(?:\s+\d+)?\s*\]/g)) {
    const ip = canonicalAddress(match[1] ?? '');
    if (ip !== undefined && !found.some((f) => f.address === ip.address)) found.push(ip);
  }
  return found;
}
