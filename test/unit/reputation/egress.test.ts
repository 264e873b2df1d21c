// CONTRACT §10: which address the mail leaves from (first found wins per family, in the order
// config, cloud, greeting, local; decided as soon as no better source can speak), and the
// lookups made for it through a DNS double: what is asked, what is not, and the deadline.
import { describe, expect, it } from 'vitest';
import { ReputationCheck } from '../../../src/reputation/check.js';
import { EgressFinder, type AttemptIdentity } from '../../../src/reputation/egress.js';
import { lookUpAddress } from '../../../src/reputation/lookup.js';
import { fakeDns, SILENT, type FakeZone } from '../../helpers/fake-dns.js';

const seen = (fields: Partial<AttemptIdentity>): AttemptIdentity => ({
  greeting: null,
  ehlo: undefined,
  localAddress: undefined,
  peerAddress: '198.51.100.25',
  ...fields,
});
const short = (list: { address: string; source: string }[]): string[] =>
  list.map((c) => `${c.address} ${c.source}`);

describe('EgressFinder', () => {
  it('takes the config at once, for the families it names, private addresses included', () => {
    const finder = new EgressFinder(['10.0.0.5', '2001:DB8::25']);
    expect(short(finder.initial())).toEqual(['10.0.0.5 config', '2001:db8::25 config']);
    expect(finder.cloud(['203.0.113.9'])).toEqual([]);
    expect(finder.attempt(seen({ greeting: '554 [203.0.113.8] blocked' }))).toEqual([]);
    expect(short(finder.addresses())).toEqual(['10.0.0.5 config', '2001:db8::25 config']);
  });

  it('waits for cloud detection before a greeting may decide, and the cloud wins', () => {
    const finder = new EgressFinder([]);
    expect(finder.initial()).toEqual([]);
    expect(finder.attempt(seen({ greeting: '554 Client host [203.0.113.8] blocked' }))).toEqual([]);
    expect(short(finder.cloud(['203.0.113.9']))).toEqual(['203.0.113.9 cloud']);
    expect(short(finder.addresses())).toEqual(['203.0.113.9 cloud']);
  });

  it('a greeting decides its family at once after the cloud said nothing; first one wins', () => {
    const finder = new EgressFinder([]);
    expect(finder.cloud([])).toEqual([]);
    expect(
      short(
        finder.attempt(
          seen({ greeting: '550 5.7.1 [203.0.113.7] listed', localAddress: '192.0.2.2' }),
        ),
      ),
    ).toEqual(['203.0.113.7 greeting']);
    expect(finder.attempt(seen({ ehlo: '250-mx at your service, [203.0.113.99]' }))).toEqual([]);
    expect(short(finder.attempt(seen({ ehlo: '250-mx Hello [IPv6:2001:db8:7::7]' })))).toEqual([
      '2001:db8:7::7 greeting',
    ]);
    expect(short(finder.allAttemptsDone())).toEqual([]);
  });

  it.each([
    ['loopback', '127.0.0.1'],
    ['IPv6 loopback', '::1'],
    ['private', '10.1.2.3'],
    ['shared (CGNAT)', '100.64.0.9'],
    ['link-local', 'fe80::1'],
    ['not known', ''],
  ])('a server whose own address is %s never names our address', (_, peerAddress) => {
    const finder = new EgressFinder([]);
    finder.cloud([]);
    const named = finder.attempt(
      seen({
        greeting: '554 5.7.1 Client host [203.0.113.7] blocked',
        ehlo: '250-mx Hello [2001:db8::7]',
        peerAddress,
      }),
    );
    expect(named).toEqual([]);
    expect(finder.allAttemptsDone()).toEqual([]);
  });

  it('never takes the server’s own address from its greeting', () => {
    const finder = new EgressFinder([]);
    finder.cloud([]);
    expect(
      finder.attempt(
        seen({ greeting: '220 [198.51.100.11] ESMTP ready', peerAddress: '198.51.100.11' }),
      ),
    ).toEqual([]);
    expect(
      short(
        finder.attempt(
          seen({ ehlo: '250-[198.51.100.11] Hello [203.0.113.7]', peerAddress: '198.51.100.11' }),
        ),
      ),
    ).toEqual(['203.0.113.7 greeting']);
  });

  it('a local source address decides only when every attempt is done', () => {
    const finder = new EgressFinder([]);
    finder.cloud([]);
    expect(finder.attempt(seen({ localAddress: '198.51.100.20' }))).toEqual([]);
    expect(
      finder.attempt(seen({ localAddress: '2001:db8::20', greeting: '220 mx ESMTP' })),
    ).toEqual([]);
    expect(short(finder.allAttemptsDone())).toEqual(['198.51.100.20 local', '2001:db8::20 local']);
  });

  it('never takes a private, shared, loopback or link-local address it found', () => {
    const finder = new EgressFinder([]);
    finder.cloud(['10.1.1.1']);
    finder.attempt(
      seen({
        greeting: '554 [127.0.0.1] blocked',
        ehlo: '250 Nice to meet you, [::1]',
        localAddress: '127.0.0.1',
      }),
    );
    finder.attempt(seen({ greeting: '554 [100.64.3.4] no', localAddress: '172.16.0.4' }));
    finder.attempt(seen({ localAddress: 'fe80::1' }));
    finder.attempt(seen({ localAddress: '::ffff:192.168.0.9' }));
    expect(finder.allAttemptsDone()).toEqual([]);
    expect(finder.addresses()).toEqual([]);
  });
});

/** A zone where 203.0.113.7 is listed in one DNSBL, clean in another, and has no PTR. */
const LISTED: FakeZone = {
  ptr: {},
  a: { '7.113.0.203.traps.dnsbl.test': ['127.0.0.2'] },
  txt: { '7.113.0.203.traps.dnsbl.test': ['Listed by traps:', 'https://dnsbl.test/203.0.113.7'] },
};

describe('lookUpAddress', () => {
  it('finds the listing with its TXT text, the clean zone, and no PTR', async () => {
    const dns = fakeDns(LISTED);
    const found = await lookUpAddress(
      { address: '203.0.113.7', family: 4, source: 'greeting' },
      ['traps.dnsbl.test', 'reports.dnsbl.test'],
      dns,
    );
    expect(found).toEqual({
      address: '203.0.113.7',
      family: 4,
      source: 'greeting',
      ptr: { status: 'none', names: [] },
      dnsbl: [
        {
          zone: 'traps.dnsbl.test',
          status: 'listed',
          codes: ['127.0.0.2'],
          text: 'Listed by traps: https://dnsbl.test/203.0.113.7',
        },
        { zone: 'reports.dnsbl.test', status: 'clean' },
      ],
    });
    // TXT is asked only where the address is listed.
    expect(dns.questions.sort()).toEqual([
      'A 7.113.0.203.reports.dnsbl.test',
      'A 7.113.0.203.traps.dnsbl.test',
      'PTR 7.113.0.203.in-addr.arpa',
      'TXT 7.113.0.203.traps.dnsbl.test',
    ]);
  });

  it('confirms an IPv6 PTR with an AAAA lookup of the name', async () => {
    const reverse = '7.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.7.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa';
    const dns = fakeDns({
      ptr: { [reverse]: ['mail.example.test.'] },
      aaaa: { 'mail.example.test': ['2001:db8:7::7'] },
    });
    const found = await lookUpAddress(
      { address: '2001:db8:7::7', family: 6, source: 'config' },
      [],
      dns,
    );
    expect(found.ptr).toEqual({ status: 'ok', names: ['mail.example.test'] });
    expect(found.dnsbl).toEqual([]);
    expect(dns.questions.sort()).toEqual([`AAAA mail.example.test`, `PTR ${reverse}`]);
  });
});

describe('ReputationCheck', () => {
  it('sends no question at all when no public address was found (loopback probes)', async () => {
    let clients = 0;
    const check = new ReputationCheck({
      zones: ['zen.spamhaus.org', 'bl.spamcop.net'],
      egressAddresses: [],
      dnsClient: () => {
        clients += 1;
        return fakeDns({});
      },
    });
    check.cloudDetected([]);
    check.attemptSeen(
      seen({
        greeting: '220 localhost ESMTP',
        ehlo: '250 Nice to meet you, [127.0.0.1]',
        localAddress: '127.0.0.1',
      }),
    );
    check.attemptSeen(seen({ localAddress: '::1' }));
    expect(await check.finish()).toEqual({ addresses: [] });
    expect(clients).toBe(0);
  });

  it('starts the lookups when the address is decided, before the probes end', async () => {
    const questions: string[] = [];
    const check = new ReputationCheck({
      zones: ['traps.dnsbl.test'],
      egressAddresses: [],
      dnsClient: () => fakeDns(LISTED, questions),
    });
    check.cloudDetected([]);
    check.attemptSeen(seen({ greeting: '554 5.7.1 Client host [203.0.113.7] blocked' }));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(questions).toContain('PTR 7.113.0.203.in-addr.arpa');
    const report = await check.finish();
    expect(report.addresses.map((a) => [a.address, a.source, a.ptr.status])).toEqual([
      ['203.0.113.7', 'greeting', 'none'],
    ]);
  });

  it('a DNS server that never answers costs one deadline, and every finding says error', async () => {
    const check = new ReputationCheck({
      zones: ['a.dnsbl.test', 'b.dnsbl.test', 'c.dnsbl.test'],
      egressAddresses: ['203.0.113.7', '2001:db8:7::7'],
      dnsClient: () => fakeDns(SILENT),
      budgetMs: 1_000,
    });
    const started = performance.now();
    const report = await check.finish();
    const ms = performance.now() - started;
    // One deadline for both addresses: two (one per address) would be 2 s, eight lookups 8 s.
    expect(ms).toBeGreaterThanOrEqual(990);
    expect(ms).toBeLessThan(2_000);
    for (const a of report.addresses) {
      expect(a.ptr.status).toBe('error');
      expect(a.dnsbl.map((d) => d.status)).toEqual(['error', 'error', 'error']);
    }
    expect(report.addresses.map((a) => a.family)).toEqual([4, 6]);
  });

  it('an aborted pass cancels the lookups at once', async () => {
    const controller = new AbortController();
    const check = new ReputationCheck({
      zones: ['a.dnsbl.test'],
      egressAddresses: ['203.0.113.7'],
      dnsClient: () => fakeDns(SILENT),
      budgetMs: 10_000,
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 20);
    const started = performance.now();
    const report = await check.finish();
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(report.addresses[0]?.ptr.status).toBe('error');
  });
});
