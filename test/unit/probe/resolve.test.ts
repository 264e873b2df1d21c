import { describe, expect, it } from 'vitest';
import { hedged, resolutionStatusOf } from '../../../src/dns/client.js';
import { orderMx, resolveTarget } from '../../../src/probe/resolve.js';
import { fakeDns } from '../../helpers/fake-dns.js';

describe('resolveTarget: domains', () => {
  it('orders MX hosts by preference and probes each of their A and AAAA addresses', async () => {
    const dns = fakeDns({
      mx: {
        'a.example': [
          { exchange: 'mx2.a.example', priority: 20 },
          { exchange: 'mx1.a.example', priority: 10 },
        ],
      },
      a: { 'mx1.a.example': ['203.0.113.1'], 'mx2.a.example': ['203.0.113.2'] },
      aaaa: { 'mx1.a.example': ['2001:db8::1'], 'mx2.a.example': 'ENODATA' },
    });
    const r = await resolveTarget({ kind: 'domain', name: 'a.example', ports: [25] }, 'any', dns);
    expect(r.status).toBe('ok');
    expect(r.hosts).toEqual(['mx1.a.example', 'mx2.a.example']);
    expect(r.endpoints).toEqual([
      { host: 'mx1.a.example', address: '203.0.113.1', family: 4 },
      { host: 'mx1.a.example', address: '2001:db8::1', family: 6 },
      { host: 'mx2.a.example', address: '203.0.113.2', family: 4 },
    ]);
  });

  it('falls back to the domain itself without MX records (RFC 5321 implicit MX)', async () => {
    const dns = fakeDns({
      mx: { 'b.example': 'ENODATA' },
      a: { 'b.example': ['198.51.100.7'] },
      aaaa: { 'b.example': 'ENODATA' },
    });
    const r = await resolveTarget({ kind: 'domain', name: 'b.example', ports: [25] }, 'any', dns);
    expect(r).toMatchObject({
      status: 'ok',
      hosts: ['b.example'],
      endpoints: [{ address: '198.51.100.7', family: 4 }],
    });
  });

  it('reports null-mx for "0 ." and probes nothing (RFC 7505)', async () => {
    const dns = fakeDns({ mx: { 'c.example': [{ exchange: '', priority: 0 }] } });
    const r = await resolveTarget({ kind: 'domain', name: 'c.example', ports: [25] }, 'any', dns);
    expect(r).toMatchObject({ status: 'null-mx', endpoints: [] });
  });

  it.each([
    ['ENOTFOUND', 'nxdomain'],
    ['ESERVFAIL', 'servfail'],
    ['EREFUSED', 'refused'],
    ['ETIMEOUT', 'timeout'],
  ])('an MX lookup failing with %s is %s', async (code, status) => {
    const r = await resolveTarget(
      { kind: 'domain', name: 'd.example', ports: [25] },
      'any',
      fakeDns({ mx: { 'd.example': code } }),
    );
    expect(r.status).toBe(status);
  });

  it('a domain with neither MX nor addresses is nodata', async () => {
    const dns = fakeDns({
      mx: { 'e.example': 'ENODATA' },
      a: { 'e.example': 'ENODATA' },
      aaaa: { 'e.example': 'ENODATA' },
    });
    expect(
      (await resolveTarget({ kind: 'domain', name: 'e.example', ports: [25] }, 'any', dns)).status,
    ).toBe('nodata');
  });

  it('cancels what is still out once the target is resolved: no query outlives it', async () => {
    const dns = fakeDns({
      a: { 'mx.example': ['203.0.113.5'] },
      aaaa: { 'mx.example': 'ENODATA' },
    });
    const r = await resolveTarget({ kind: 'host', name: 'mx.example', ports: [25] }, 'any', dns);
    expect(r.status).toBe('ok');
    expect(dns.cancelled).toBe(true);
  });

  it('gives up at its budget on a server that never answers', async () => {
    const dns = fakeDns({ mx: { 'slow.example': 'hang' } });
    const started = Date.now();
    const r = await resolveTarget(
      { kind: 'domain', name: 'slow.example', ports: [25] },
      'any',
      dns,
      200,
    );
    expect(r.status).toBe('timeout');
    expect(dns.cancelled).toBe(true);
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});

describe('resolveTarget: hosts and families', () => {
  const dns = fakeDns({
    a: { 'smtp.example': ['192.0.2.25'] },
    aaaa: { 'smtp.example': ['2001:db8::25'] },
  });

  it('--family 4 asks only for A records', async () => {
    const r = await resolveTarget({ kind: 'host', name: 'smtp.example', ports: [587] }, 4, dns);
    expect(r.endpoints.map((e) => e.address)).toEqual(['192.0.2.25']);
  });

  it('--family 6 asks only for AAAA records', async () => {
    const r = await resolveTarget({ kind: 'host', name: 'smtp.example', ports: [587] }, 6, dns);
    expect(r.endpoints.map((e) => e.address)).toEqual(['2001:db8::25']);
  });

  it('an IP literal needs no DNS', async () => {
    const r = await resolveTarget(
      { kind: 'host', name: '127.0.0.1', ports: [25] },
      'any',
      fakeDns({}),
    );
    expect(r).toMatchObject({ status: 'ok', endpoints: [{ address: '127.0.0.1', family: 4 }] });
  });

  it('localhost never goes to DNS (RFC 6761): loopback of the families asked for', async () => {
    const r = await resolveTarget(
      { kind: 'host', name: 'localhost', ports: [25] },
      'any',
      fakeDns({}),
    );
    expect(r.endpoints.map((e) => e.address)).toEqual(['127.0.0.1', '::1']);
    const d = await resolveTarget(
      { kind: 'domain', name: 'mail.localhost', ports: [25] },
      4,
      fakeDns({}),
    );
    expect(d).toMatchObject({
      status: 'ok',
      hosts: ['mail.localhost'],
      endpoints: [{ address: '127.0.0.1' }],
    });
  });

  it('a host that does not exist is nxdomain', async () => {
    expect(
      (await resolveTarget({ kind: 'host', name: 'nope.example', ports: [25] }, 'any', fakeDns({})))
        .status,
    ).toBe('nxdomain');
  });
});

describe('pure helpers', () => {
  it('orderMx sorts by preference then name, drops the root and duplicates', () => {
    expect(
      orderMx([
        { exchange: 'b.example.', priority: 10 },
        { exchange: 'a.example', priority: 10 },
        { exchange: 'c.example', priority: 5 },
        { exchange: 'A.example', priority: 20 },
      ]),
    ).toEqual(['c.example', 'a.example', 'b.example']);
  });

  it('maps c-ares codes to resolution statuses', () => {
    expect(resolutionStatusOf('ECANCELLED')).toBe('timeout');
    expect(resolutionStatusOf('ENODATA')).toBe('nodata');
    expect(resolutionStatusOf('EBADRESP')).toBe('servfail');
  });
});

describe('hedged: a second DNS query for a lost datagram', () => {
  const never = <T>(): Promise<T> => new Promise<T>(() => undefined);
  const fail = (code: string) => () => Promise.reject(Object.assign(new Error(code), { code }));

  it('a quick answer needs no second query', async () => {
    let second = 0;
    const value = await hedged(
      [() => Promise.resolve('a'), () => ((second += 1), Promise.resolve('b'))],
      20,
    );
    await new Promise((r) => setTimeout(r, 40));
    expect({ value, second }).toEqual({ value: 'a', second: 0 });
  });

  it('when the first query hears nothing, the second one answers', async () => {
    expect(await hedged([never, () => Promise.resolve('second')], 20)).toBe('second');
  });

  it('a definitive NXDOMAIN from the server is not asked again', async () => {
    const started = Date.now();
    await expect(hedged([fail('ENOTFOUND'), never], 5_000)).rejects.toMatchObject({
      code: 'ENOTFOUND',
    });
    // Asking again would wait the 5 s hedge delay for a server that never answers.
    expect(Date.now() - started).toBeLessThan(2_500);
  });

  it('fails only when every query failed', async () => {
    await expect(hedged([fail('ETIMEOUT'), fail('ECONNREFUSED')], 10)).rejects.toMatchObject({
      code: 'ECONNREFUSED',
    });
  });
});
