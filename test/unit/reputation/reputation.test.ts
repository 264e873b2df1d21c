// CONTRACT §10, the pure parts: addresses as mail servers name them, the ranges that never
// identify this machine, the names DNS knows an address by (PTR, DNSBL: reversed octets and
// nibbles), what a DNSBL zone's answer means (refused codes never count as listed), and
// forward-confirmed reverse DNS.
import { describe, expect, it } from 'vitest';
import {
  addressesInBrackets,
  canonicalAddress,
  dnsblQueryName,
  isInternalAddress,
  reverseName,
  type IpAddress,
} from '../../../src/reputation/address.js';
import type { Lookup } from '../../../src/dns/client.js';
import { ptrVerdict } from '../../../src/reputation/ptr.js';
import { dnsblVerdict, knownZone } from '../../../src/reputation/zones.js';
import { printable } from '../../../src/util/printable.js';

const v4: IpAddress = { address: '203.0.113.7', family: 4 };
const v6: IpAddress = { address: '2001:db8:7::7', family: 6 };
const answer = (...value: string[]): Lookup<string[]> => ({ ok: true, value });
const failed = (status: 'nxdomain' | 'nodata' | 'timeout' | 'servfail' | 'refused') =>
  ({ ok: false, status }) as const;

describe('canonicalAddress', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7', 4],
    ['2001:DB8:7:0:0:0:0:7', '2001:db8:7::7', 6],
    ['2001:0db8:0007::0007', '2001:db8:7::7', 6],
    ['IPv6:2001:db8::7', '2001:db8::7', 6],
    ['ipv6:2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1', 6],
    ['::ffff:203.0.113.7', '203.0.113.7', 4],
    ['::ffff:cb00:7107', '203.0.113.7', 4],
    ['2001:db8::', '2001:db8::', 6],
    ['::1', '::1', 6],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2:3:4:5:6', 6],
  ])('%s → %s (IPv%i)', (text, address, family) => {
    expect(canonicalAddress(text)).toEqual({ address, family });
  });

  it.each(['mx.example.com', '203.0.113', '2001:db8::g', '', 'IPv6:203.0.113.7x'])(
    '%j is no address',
    (text) => {
      expect(canonicalAddress(text)).toBeUndefined();
    },
  );
});

describe('addressesInBrackets: the client address a server names', () => {
  it.each([
    [
      '554 5.7.1 Service unavailable; Client host [203.0.113.7] blocked using zen.spamhaus.org; https://www.spamhaus.org/query/ip/203.0.113.7',
      ['203.0.113.7'],
    ],
    ['550 5.7.1 [203.0.113.7] Your IP address is listed in a blocklist', ['203.0.113.7']],
    [
      '421 4.7.0 [203.0.113.7      15] Our system has detected an unusual rate of unsolicited mail',
      ['203.0.113.7'],
    ],
    [
      '421-4.7.0 [2001:db8:7::7] Our system has detected an unusual rate of unsolicited mail originating from your IP address.',
      ['2001:db8:7::7'],
    ],
    ['250-mx.google.com at your service, [203.0.113.7]', ['203.0.113.7']],
    ['250-smtp.example Hello [IPv6:2001:DB8:7:0::7]', ['2001:db8:7::7']],
    ['250-mx.example Nice to meet you, [::ffff:203.0.113.7]', ['203.0.113.7']],
    ['220 [mx.example.com] ESMTP ready', []],
    [
      '220 mx.example ESMTP [203.0.113.7] and again [203.0.113.7], [198.51.100.9]',
      ['203.0.113.7', '198.51.100.9'],
    ],
    ['220 mx.example.com ESMTP', []],
  ])('%s', (text, expected) => {
    expect(addressesInBrackets(text).map((ip) => ip.address)).toEqual(expected);
  });
});

describe('isInternalAddress (private, shared, loopback, link-local: never an egress address)', () => {
  it.each([
    ['10.1.2.3', true],
    ['172.16.0.1', true],
    ['172.31.255.255', true],
    ['172.32.0.1', false],
    ['192.168.1.5', true],
    ['100.64.0.1', true],
    ['100.127.255.254', true],
    ['100.128.0.1', false],
    ['127.0.0.1', true],
    ['169.254.169.254', true],
    ['0.0.0.0', true],
    ['203.0.113.7', false],
    ['192.0.2.2', false],
    ['::1', true],
    ['::', true],
    ['fd12:3456::1', true],
    ['fc00::1', true],
    ['fe80::1', true],
    ['febf::1', true],
    ['fec0::1', false],
    ['2001:db8:7::7', false],
  ])('%s → %s', (text, internal) => {
    const ip = canonicalAddress(text);
    expect(ip).toBeDefined();
    expect(isInternalAddress(ip!)).toBe(internal);
  });
});

describe('the names DNS knows an address by', () => {
  it('IPv4: reversed octets under in-addr.arpa and under the zone', () => {
    expect(reverseName(v4)).toBe('7.113.0.203.in-addr.arpa');
    expect(dnsblQueryName(v4, 'zen.spamhaus.org')).toBe('7.113.0.203.zen.spamhaus.org');
    expect(dnsblQueryName(v4, 'bl.spamcop.net.')).toBe('7.113.0.203.bl.spamcop.net');
  });

  it('IPv6: 32 reversed nibbles under ip6.arpa and under the zone (RFC 5782 §2.4)', () => {
    const nibbles = '7.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.7.0.0.0.8.b.d.0.1.0.0.2';
    expect(reverseName(v6)).toBe(`${nibbles}.ip6.arpa`);
    expect(dnsblQueryName(v6, 'zen.spamhaus.org')).toBe(`${nibbles}.zen.spamhaus.org`);
    expect(nibbles.split('.')).toHaveLength(32);
  });
});

describe('dnsblVerdict: one zone, one address', () => {
  it.each<[string, string, Lookup<string[]>, string, string[]]>([
    ['NXDOMAIN', 'bl.spamcop.net', failed('nxdomain'), 'clean', []],
    ['a name without an A record', 'bl.spamcop.net', failed('nodata'), 'clean', []],
    ['no answer', 'bl.spamcop.net', failed('timeout'), 'error', []],
    ['SERVFAIL', 'bl.spamcop.net', failed('servfail'), 'error', []],
    ['REFUSED by the resolver', 'zen.spamhaus.org', failed('refused'), 'error', []],
    ['127.0.0.2', 'bl.spamcop.net', answer('127.0.0.2'), 'listed', ['127.0.0.2']],
    [
      'several listing codes, sorted',
      'zen.spamhaus.org',
      answer('127.0.0.10', '127.0.0.2', '127.0.0.4'),
      'listed',
      ['127.0.0.2', '127.0.0.4', '127.0.0.10'],
    ],
    [
      "Spamhaus' public-resolver code",
      'zen.spamhaus.org',
      answer('127.255.255.254'),
      'refused',
      ['127.255.255.254'],
    ],
    [
      "Spamhaus' rate code on a sub-zone",
      'sbl.spamhaus.org',
      answer('127.255.255.255'),
      'refused',
      ['127.255.255.255'],
    ],
    [
      "Spamhaus' typing-error code",
      'zen.spamhaus.org',
      answer('127.255.255.252'),
      'refused',
      ['127.255.255.252'],
    ],
    [
      'a listing beside a refused code counts the listing only',
      'zen.spamhaus.org',
      answer('127.255.255.254', '127.0.0.3'),
      'listed',
      ['127.0.0.3'],
    ],
    [
      'the same code from a zone that does not document it is a listing',
      'dnsbl.example',
      answer('127.255.255.254'),
      'listed',
      ['127.255.255.254'],
    ],
    [
      'an answer outside 127/8 (NXDOMAIN rewriting)',
      'bl.spamcop.net',
      answer('198.51.100.80'),
      'error',
      [],
    ],
  ])('%s (%s) → %s', (_what, zone, given, status, codes) => {
    expect(dnsblVerdict(zone, given)).toEqual({ status, codes });
  });

  it('knows each default zone, with a delisting page', () => {
    for (const zone of ['zen.spamhaus.org', 'bl.spamcop.net', 'psbl.surriel.com']) {
      expect(knownZone(zone)?.delisting).toMatch(/^https:\/\//);
    }
    expect(knownZone('ZEN.Spamhaus.ORG.')?.name).toBe('Spamhaus');
    expect(knownZone('notspamhaus.org')).toBeUndefined();
  });
});

describe('ptrVerdict: forward-confirmed reverse DNS', () => {
  const forward = (entries: Record<string, Lookup<string[]>>) => new Map(Object.entries(entries));

  it.each<[string, IpAddress, Lookup<string[]>, Map<string, Lookup<string[]>>, string, string[]]>([
    [
      'a name that resolves back',
      v4,
      answer('Mail.Example.com.'),
      forward({ 'mail.example.com': answer('203.0.113.7') }),
      'ok',
      ['mail.example.com'],
    ],
    [
      'one of two names resolves back',
      v4,
      answer('a.example.com', 'b.example.com'),
      forward({ 'a.example.com': failed('nxdomain'), 'b.example.com': answer('203.0.113.7') }),
      'ok',
      ['a.example.com', 'b.example.com'],
    ],
    [
      'IPv6, spelled differently by the forward answer',
      v6,
      answer('mail.example.com'),
      forward({ 'mail.example.com': answer('2001:0db8:0007:0000:0000:0000:0000:0007') }),
      'ok',
      ['mail.example.com'],
    ],
    [
      'a name that resolves elsewhere',
      v4,
      answer('generic.cloud.example'),
      forward({ 'generic.cloud.example': answer('198.51.100.1') }),
      'mismatch',
      ['generic.cloud.example'],
    ],
    [
      'a name that does not exist',
      v4,
      answer('gone.example.com'),
      forward({ 'gone.example.com': failed('nxdomain') }),
      'mismatch',
      ['gone.example.com'],
    ],
    ['NXDOMAIN', v4, failed('nxdomain'), forward({}), 'none', []],
    ['no PTR record', v4, failed('nodata'), forward({}), 'none', []],
    ['an empty answer', v4, answer(), forward({}), 'none', []],
    ['the PTR lookup timed out', v4, failed('timeout'), forward({}), 'error', []],
    ['SERVFAIL', v4, failed('servfail'), forward({}), 'error', []],
    [
      'the forward lookup timed out',
      v4,
      answer('mail.example.com'),
      forward({ 'mail.example.com': failed('timeout') }),
      'error',
      ['mail.example.com'],
    ],
  ])('%s → %s', (_what, ip, ptr, fwd, status, names) => {
    expect(ptrVerdict(ip, ptr, fwd)).toEqual({ status, names });
  });
});

describe('printable: network text on its way to a terminal', () => {
  it.each([
    ['554 no\u001b[2J service', '554 no\\x1b[2J service'],
    ['tab\there\r\n', 'tab\\x09here\\x0d\\x0a'],
    ['c1 \u009b31m', 'c1 \\x9b31m'],
    ['rtl \u202eevil', 'rtl \\u202eevil'],
    ['plain text, ümlaut and 日本', 'plain text, ümlaut and 日本'],
  ])('%j → %j', (text, shown) => {
    expect(printable(text)).toBe(shown);
  });
});
