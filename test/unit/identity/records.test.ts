// DMARC policy discovery and parsing, DKIM key presence, the EHLO name's form and verdict, and
// this machine's FQDN from /etc/hosts: the pure parts of sender identity, no DNS.
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { dkimKeyStatus, dkimName } from '../../../src/identity/dkim.js';
import { dmarcFinding, dmarcNames, dmarcRecord } from '../../../src/identity/dmarc.js';
import { ehloVerdict, machineFqdn } from '../../../src/identity/ehlo.js';
import { isFqdn } from '../../../src/util/host-name.js';
import type { EgressAddress } from '../../../src/types.js';

describe('DMARC', () => {
  it('asks the domain, then its parents, never the TLD', () => {
    expect(dmarcNames('mail.eu.Example.com.')).toEqual([
      '_dmarc.mail.eu.example.com',
      '_dmarc.eu.example.com',
      '_dmarc.example.com',
    ]);
    expect(dmarcNames('a.b.c.d.e.f.g.h.i.j.example')).toHaveLength(8);
  });

  it.each([
    [
      ['v=DMARC1; p=reject; rua=mailto:d@example.com'],
      'v=DMARC1; p=reject; rua=mailto:d@example.com',
    ],
    [['spf-ish text', 'v=DMARC1;p=quarantine'], 'v=DMARC1;p=quarantine'],
    [['v=DMARC1; p=none', 'v=DMARC1; p=reject'], undefined],
    [['v=DMARC2; p=reject'], undefined],
    [['v=DMARC10; p=reject'], undefined],
    [[], undefined],
  ])('the record among %j is %s', (txt, record) => {
    expect(dmarcRecord(txt)).toBe(record);
  });

  it.each([
    ['v=DMARC1; p=reject', true, 'reject'],
    ['v=DMARC1; p=Quarantine; pct=50', true, 'quarantine'],
    ['v=DMARC1; p=none; rua=mailto:x@example.com', true, 'none'],
    ['v=DMARC1; p=bogus', true, 'none'],
    ['v=DMARC1; rua=mailto:x@example.com', true, 'none'],
    ['v=DMARC1; p=reject; sp=none', false, 'none'],
    ['v=DMARC1; p=reject', false, 'reject'],
    ['v=DMARC1; p=none; sp=quarantine', true, 'none'],
  ])('%s (own record: %s) → %s', (record, own, policy) => {
    expect(dmarcFinding(record, own)).toEqual({ policy, record });
  });
});

describe('DKIM key presence', () => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 })
    .publicKey.export({ type: 'spki', format: 'der' })
    .toString('base64');
  const ed25519 = Buffer.alloc(32, 7).toString('base64');
  it.each([
    ['an RSA key', [`v=DKIM1; k=rsa; p=${rsa}`], 'present'],
    [
      'an RSA key split over strings and spaces',
      [`v=DKIM1; p=${rsa.slice(0, 40)} ${rsa.slice(40)}`],
      'present',
    ],
    ['an Ed25519 key', [`v=DKIM1; k=ed25519; p=${ed25519}`], 'present'],
    ['no record', [], 'missing'],
    ['a revoked key (empty p=)', ['v=DKIM1; k=rsa; p='], 'invalid'],
    ['a key that is not base64', ['v=DKIM1; p=not*base64'], 'invalid'],
    ['truncated RSA', [`v=DKIM1; p=${rsa.slice(0, 60)}`], 'invalid'],
    ['another version', [`v=DKIM2; p=${rsa}`], 'invalid'],
    ['an unknown key type', [`v=DKIM1; k=dsa; p=${rsa}`], 'invalid'],
    ['text that is no key record', ['hello'], 'invalid'],
  ])('%s → %s', (_, txt, status) => {
    expect(dkimKeyStatus(txt)).toBe(status);
  });

  it('lives under _domainkey', () => {
    expect(dkimName('s1', 'example.com.')).toBe('s1._domainkey.example.com');
  });
});

describe('the EHLO name', () => {
  it.each([
    ['mail.example.com', true],
    ['mail.example.com.', true],
    ['vm1', false],
    ['localhost', false],
    ['localhost.localdomain', false],
    ['vm1.local', false],
    ['203.0.113.7', false],
    ['[203.0.113.7]', false],
    ['under_score.example.com', false],
    ['-bad.example.com', false],
    ['host.123', false],
  ])('%s is fully qualified: %s', (name, fqdn) => {
    expect(isFqdn(name)).toBe(fqdn);
  });

  const egress = (address: string, names: string[]): EgressAddress => ({
    address,
    family: address.includes(':') ? 6 : 4,
    source: 'config',
    ptr: { status: names.length > 0 ? 'ok' : 'none', names },
    dnsbl: [],
  });
  const answers = (a: string[], aaaa: string[] = []) => ({
    a:
      a.length > 0
        ? { ok: true as const, value: a }
        : { ok: false as const, status: 'nxdomain' as const },
    aaaa:
      aaaa.length > 0
        ? { ok: true as const, value: aaaa }
        : { ok: false as const, status: 'nodata' as const },
  });

  it('ok: resolves to the egress address, whose PTR names it', () => {
    expect(
      ehloVerdict('mail.example.test', answers(['203.0.113.7']), [
        egress('203.0.113.7', ['mail.example.test']),
      ]),
    ).toEqual({
      status: 'ok',
      addresses: ['203.0.113.7'],
      ptrNames: ['mail.example.test'],
    });
  });

  it('mismatch: resolves elsewhere', () => {
    const finding = ehloVerdict('vm.example.test', answers(['192.0.2.99']), [
      egress('203.0.113.7', ['mail.example.test']),
    ]);
    expect(finding).toEqual({
      status: 'mismatch',
      addresses: ['192.0.2.99'],
      ptrNames: ['mail.example.test'],
    });
  });

  it('mismatch: resolves to the address, but its PTR names another host', () => {
    expect(
      ehloVerdict('vm.example.test', answers(['203.0.113.7']), [
        egress('203.0.113.7', ['other.example.test']),
      ]).status,
    ).toBe('mismatch');
  });

  it('mismatch: one of two egress addresses is not covered', () => {
    const both = [egress('203.0.113.7', ['mail.example.test']), egress('2001:db8::7', [])];
    expect(
      ehloVerdict('mail.example.test', answers(['203.0.113.7'], ['2001:db8::7']), both).status,
    ).toBe('mismatch');
  });

  it('unresolvable: no A or AAAA', () => {
    expect(ehloVerdict('vm.example.test', answers([]), [egress('203.0.113.7', [])]).status).toBe(
      'unresolvable',
    );
  });

  it('not-fqdn before any lookup; without an egress address only the form is judged', () => {
    expect(ehloVerdict('vm1', undefined, []).status).toBe('not-fqdn');
    expect(ehloVerdict('vm1.example.test', undefined, [])).toEqual({
      status: 'ok',
      addresses: [],
      ptrNames: [],
    });
  });

  it('finds the machine’s FQDN as hostname -f does from /etc/hosts', () => {
    const hosts = '127.0.0.1 localhost\n127.0.1.1 vm1.example.test vm1 # the VM\n';
    expect(machineFqdn('vm1', hosts)).toBe('vm1.example.test');
    expect(machineFqdn('vm2', hosts)).toBe('vm2');
    expect(machineFqdn('vm3.example.test', hosts)).toBe('vm3.example.test');
  });
});
