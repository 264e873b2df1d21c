// RFC 7208 against a corpus of records served by a DNS double (no real DNS): the mechanisms,
// include chains, redirect, the lookup and void-lookup limits, macros, IPv6, and DNS failures.
import { describe, expect, it } from 'vitest';
import { canonicalAddress, type IpAddress } from '../../../src/reputation/address.js';
import { expandMacros } from '../../../src/identity/spf-macro.js';
import { checkSpf } from '../../../src/identity/spf.js';
import { fakeDns, type FakeZone } from '../../helpers/fake-dns.js';

const ip = (text: string): IpAddress => {
  const parsed = canonicalAddress(text);
  if (parsed === undefined) throw new Error(text);
  return parsed;
};

const tenIncludes = Array.from({ length: 10 }, (_, i) => `include:n${i}.test`).join(' ');
const elevenIncludes = `${tenIncludes} include:n10.test`;
const chainTxt: Record<string, string[]> = Object.fromEntries(
  Array.from({ length: 11 }, (_, i) => [`n${i}.test`, ['v=spf1 ?all']]),
);

const ZONE: FakeZone = {
  txt: {
    ...chainTxt,
    'pass.test': ['v=spf1 ip4:203.0.113.0/24 -all'],
    'fail.test': ['google-site-verification=abc', 'v=spf1 ip4:192.0.2.1 -all'],
    'soft.test': ['v=spf1 ~all'],
    'neutral.test': ['v=spf1 ?all'],
    'nomatch.test': ['v=spf1 ip4:192.0.2.1'],
    'norecord.test': ['some other text'],
    'two.test': ['v=spf1 -all', 'v=spf1 +all'],
    'syntax.test': ['v=spf1 ip4:203.0.113.7 ip4:300.1.1.1 -all'],
    'unknownmech.test': ['v=spf1 +everything -all'],
    'unknownmod.test': ['v=spf1 moo=cow ip4:203.0.113.7 -all'],
    'twice-redirect.test': ['v=spf1 redirect=pass.test redirect=fail.test'],
    'chain.test': ['v=spf1 include:middle.test -all'],
    'middle.test': ['v=spf1 include:fail.test include:leaf.test -all'],
    'leaf.test': ['v=spf1 ip4:203.0.113.7 -all'],
    'include-none.test': ['v=spf1 include:norecord.test -all'],
    'include-servfail.test': ['v=spf1 include:servfail.test -all'],
    'servfail.test': 'ESERVFAIL',
    'redirect.test': ['v=spf1 redirect=leaf.test'],
    'redirect-none.test': ['v=spf1 redirect=norecord.test'],
    'redirect-after-all.test': ['v=spf1 -all redirect=leaf.test'],
    'a.test': ['v=spf1 a/24 -all'],
    'a-other.test': ['v=spf1 a:host.a.test -all'],
    'mx.test': ['v=spf1 mx -all'],
    'mx-many.test': ['v=spf1 mx -all'],
    'ptr.test': ['v=spf1 ptr -all'],
    'exists.test': ['v=spf1 exists:%{ir}.%{v}._spf.%{d} -all'],
    'ten.test': [`v=spf1 ${tenIncludes} ip4:203.0.113.7 -all`],
    'eleven.test': [`v=spf1 ${elevenIncludes} ip4:203.0.113.7 -all`],
    'loop.test': ['v=spf1 include:loop.test -all'],
    'two-voids.test': ['v=spf1 a:gone1.test a:gone2.test ip4:203.0.113.7 -all'],
    'three-voids.test': ['v=spf1 a:gone1.test a:gone2.test a:gone3.test ip4:203.0.113.7 -all'],
    'v6.test': ['v=spf1 ip6:2001:db8:7::/48 -all'],
    'v6-a.test': ['v=spf1 ip4:0.0.0.0/0 a:host.a.test//64 -all'],
    'mech-servfail.test': ['v=spf1 a:servfail.test -all'],
    'macro-bad.test': ['v=spf1 exists:%{z}.test -all'],
  },
  a: {
    'a.test': ['203.0.113.200'],
    'host.a.test': ['192.0.2.5'],
    'mx1.mx.test': ['198.51.100.1'],
    'mx2.mx.test': ['203.0.113.7'],
    'mail.ptr.test': ['203.0.113.7'],
    '7.113.0.203.in-addr._spf.exists.test': ['127.0.0.2'],
    'servfail.test': 'ESERVFAIL',
  },
  aaaa: { 'host.a.test': ['2001:db8:aa::1'] },
  mx: {
    'mx.test': [
      { exchange: 'mx1.mx.test', priority: 10 },
      { exchange: 'mx2.mx.test', priority: 20 },
    ],
    'mx-many.test': Array.from({ length: 11 }, (_, i) => ({ exchange: `m${i}.test`, priority: i })),
  },
  ptr: {
    '7.113.0.203.in-addr.arpa': ['evil.test', 'mail.ptr.test'],
  },
};

async function spf(domain: string, address = '203.0.113.7') {
  const questions: string[] = [];
  const outcome = await checkSpf(
    { ip: ip(address), domain, sender: `postmaster@${domain}`, helo: 'vm.example.test' },
    fakeDns(ZONE, questions),
  );
  return { ...outcome, questions };
}

describe('SPF results (RFC 7208 §2.6)', () => {
  it.each([
    ['pass.test', 'pass', /ip4:203\.0\.113\.0\/24 in pass\.test/],
    ['fail.test', 'fail', /-all in fail\.test/],
    ['soft.test', 'softfail', /~all/],
    ['neutral.test', 'neutral', /\?all/],
    ['nomatch.test', 'neutral', /no term of nomatch\.test matched/],
    ['norecord.test', 'none', /has no SPF record/],
    ['missing.test', 'none', /has no SPF record/],
    ['two.test', 'permerror', /2 SPF records/],
    ['syntax.test', 'permerror', /bad network in "ip4:300\.1\.1\.1"/],
    ['unknownmech.test', 'permerror', /unknown term "\+everything"/],
    ['unknownmod.test', 'pass', /ip4:203\.0\.113\.7/],
    ['twice-redirect.test', 'permerror', /more than one redirect=/],
    ['servfail.test', 'temperror', /TXT lookup of servfail\.test failed \(servfail\)/],
  ])('%s → %s', async (domain, result, detail) => {
    const outcome = await spf(domain);
    expect(outcome.result).toBe(result);
    expect(outcome.detail).toMatch(detail);
  });
});

describe('include and redirect', () => {
  it('follows an include chain; an include whose record fails is no match, the next one passes', async () => {
    const outcome = await spf('chain.test');
    expect(outcome).toMatchObject({ result: 'pass', detail: 'include:middle.test in chain.test' });
    expect(outcome.questions).toEqual([
      'TXT chain.test',
      'TXT middle.test',
      'TXT fail.test',
      'TXT leaf.test',
    ]);
  });

  it.each([
    ['include-none.test', 'permerror', /include:norecord\.test: norecord\.test has no SPF record/],
    ['include-servfail.test', 'temperror', /servfail/],
    ['redirect.test', 'pass', /in leaf\.test/],
    ['redirect-none.test', 'permerror', /redirect=norecord\.test/],
    ['redirect-after-all.test', 'fail', /-all in redirect-after-all\.test/],
  ])('%s → %s', async (domain, result, detail) => {
    const outcome = await spf(domain);
    expect(outcome.result).toBe(result);
    expect(outcome.detail).toMatch(detail);
  });
});

describe('a, mx, ptr, exists', () => {
  it.each([
    ['a.test', '203.0.113.7', 'pass'],
    ['a.test', '198.51.100.7', 'fail'],
    ['a-other.test', '192.0.2.5', 'pass'],
    ['mx.test', '203.0.113.7', 'pass'],
    ['mx.test', '198.51.100.2', 'fail'],
    ['ptr.test', '203.0.113.7', 'pass'],
    ['exists.test', '203.0.113.7', 'pass'],
    ['exists.test', '203.0.113.8', 'fail'],
  ])('%s for %s → %s', async (domain, address, result) => {
    expect((await spf(domain, address)).result).toBe(result);
  });

  it('ptr takes only a PTR name inside the domain that resolves back to the address', async () => {
    const outcome = await spf('ptr.test');
    expect(outcome.questions).toContain('A mail.ptr.test');
    expect(outcome.questions).not.toContain('A evil.test');
  });

  it('more than 10 MX names for one mx term is a permerror', async () => {
    expect(await spf('mx-many.test')).toMatchObject({
      result: 'permerror',
      detail: expect.stringMatching(/more than 10 MX names/),
    });
  });

  it('a DNS failure inside a mechanism is a temperror', async () => {
    expect((await spf('mech-servfail.test')).result).toBe('temperror');
  });
});

describe('limits (RFC 7208 §4.6.4)', () => {
  it('ten DNS-querying terms are allowed', async () => {
    expect((await spf('ten.test')).result).toBe('pass');
  });

  it('the eleventh is a permerror, before its question is asked', async () => {
    const outcome = await spf('eleven.test');
    expect(outcome).toMatchObject({
      result: 'permerror',
      detail: expect.stringMatching(/more than 10 DNS lookups/),
    });
    expect(outcome.questions).not.toContain('TXT n10.test');
  });

  it('an include loop ends at the lookup limit', async () => {
    expect((await spf('loop.test')).result).toBe('permerror');
  });

  it('two void lookups are allowed, a third is a permerror', async () => {
    expect((await spf('two-voids.test')).result).toBe('pass');
    const three = await spf('three-voids.test');
    expect(three).toMatchObject({
      result: 'permerror',
      detail: expect.stringMatching(/more than 2 void lookups/),
    });
  });
});

describe('IPv6', () => {
  it.each([
    ['v6.test', '2001:db8:7::25', 'pass'],
    ['v6.test', '2001:db8:8::25', 'fail'],
    ['pass.test', '2001:db8:7::25', 'fail'],
    ['v6-a.test', '2001:db8:aa::99', 'pass'],
    ['v6-a.test', '2001:db8:ab::1', 'fail'],
  ])('%s for %s → %s', async (domain, address, result) => {
    expect((await spf(domain, address)).result).toBe(result);
  });
});

describe('macros (RFC 7208 §7.4, its examples)', () => {
  const context = {
    sender: 'strong-bad@email.example.com',
    domain: 'email.example.com',
    ip: ip('192.0.2.3'),
    helo: 'mx.example.org',
  };
  it.each([
    ['%{s}', 'strong-bad@email.example.com'],
    ['%{o}', 'email.example.com'],
    ['%{d}', 'email.example.com'],
    ['%{d4}', 'email.example.com'],
    ['%{d3}', 'email.example.com'],
    ['%{d2}', 'example.com'],
    ['%{d1}', 'com'],
    ['%{dr}', 'com.example.email'],
    ['%{d2r}', 'example.email'],
    ['%{l}', 'strong-bad'],
    ['%{l-}', 'strong.bad'],
    ['%{lr}', 'strong-bad'],
    ['%{lr-}', 'bad.strong'],
    ['%{l1r-}', 'strong'],
    ['%{ir}.%{v}._spf.%{d2}', '3.2.0.192.in-addr._spf.example.com'],
    ['%{lr-}.lp._spf.%{d2}', 'bad.strong.lp._spf.example.com'],
    ['%{lr-}.lp.%{ir}.%{v}._spf.%{d2}', 'bad.strong.lp.3.2.0.192.in-addr._spf.example.com'],
    ['%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}', '3.2.0.192.in-addr.strong.lp._spf.example.com'],
    ['%{d2}.trusted-domains.example.net', 'example.com.trusted-domains.example.net'],
    ['%{h}%%%_%-', 'mx.example.org% %20'],
    ['%{L}', 'strong-bad'],
    ['%{S}', 'strong-bad%40email.example.com'],
  ])('%s → %s', (macro, expected) => {
    expect(expandMacros(macro, context)).toEqual({ ok: true, name: expected });
  });

  it('IPv6: %{ir}.%{v}._spf.%{d2} (the RFC example)', () => {
    expect(expandMacros('%{ir}.%{v}._spf.%{d2}', { ...context, ip: ip('2001:db8::cb01') })).toEqual(
      {
        ok: true,
        name: '1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.example.com',
      },
    );
  });

  it.each(['%{z}', '%x', '%{d0}', 'trailing%'])('%s is a syntax error', (macro) => {
    expect(expandMacros(macro, context).ok).toBe(false);
  });

  it('a bad macro in a record is a permerror', async () => {
    expect((await spf('macro-bad.test')).result).toBe('permerror');
  });
});
