// The identity check through a DNS double: what it asks, the report, hints, metric samples,
// advice and human lines it gives, and the one deadline that bounds a dead DNS server.
import { describe, expect, it } from 'vitest';
import { IdentityCheck } from '../../../src/identity/check.js';
import { identityHints } from '../../../src/identity/findings.js';
import { identitySeries } from '../../../src/report/identity-series.js';
import { identityAdvice, identityLines } from '../../../src/identity/words.js';
import type { IdentitySettings } from '../../../src/types.js';
import type { EgressAddress } from '../../../src/types.js';
import { fakeDns, SILENT, type FakeZone } from '../../helpers/fake-dns.js';

const KEY = Buffer.alloc(32, 1).toString('base64');
const ZONE: FakeZone = {
  txt: {
    'good.test': ['v=spf1 ip4:203.0.113.0/24 ip6:2001:db8:7::/48 -all'],
    '_dmarc.good.test': ['v=DMARC1; p=reject'],
    's1._domainkey.good.test': [`v=DKIM1; k=ed25519; p=${KEY}`],
    'bad.test': ['v=spf1 ip4:192.0.2.0/24 -all'],
    '_dmarc.parent.test': ['v=DMARC1; p=reject; sp=quarantine'],
    'sub.parent.test': ['v=spf1 include:good.test ~all'],
    'slow.test': 'ETIMEOUT',
  },
  a: { 'mail.good.test': ['203.0.113.7'], 'vm.bad.test': ['192.0.2.50'] },
  aaaa: { 'mail.good.test': ['2001:db8:7::7'] },
};

const egress = (address: string, names: string[]): EgressAddress => ({
  address,
  family: address.includes(':') ? 6 : 4,
  source: 'config',
  ptr: { status: names.length > 0 ? 'ok' : 'none', names },
  dnsbl: [],
});
const BOTH = [
  egress('203.0.113.7', ['mail.good.test']),
  egress('2001:db8:7::7', ['mail.good.test']),
];

function check(
  settings: Partial<IdentitySettings>,
  zone: FakeZone | typeof SILENT = ZONE,
  budgetMs?: number,
) {
  const questions: string[] = [];
  const identity = new IdentityCheck({
    settings: { sendingDomains: [], dkimSelectors: [], ...settings },
    machineName: 'vm1',
    dnsClient: () => fakeDns(zone, questions),
    ...(budgetMs === undefined ? {} : { budgetMs }),
  });
  return { identity, questions };
}

describe('IdentityCheck', () => {
  it('a domain that passes everything: no hint, complete samples', async () => {
    const { identity, questions } = check({
      ehloName: 'mail.good.test',
      sendingDomains: ['good.test'],
      dkimSelectors: ['s1'],
    });
    const report = await identity.finish(BOTH);
    expect(report).toEqual({
      ehloName: 'mail.good.test',
      ehlo: {
        status: 'ok',
        addresses: ['203.0.113.7', '2001:db8:7::7'],
        ptrNames: ['mail.good.test'],
      },
      domains: [
        {
          domain: 'good.test',
          spf: [
            { address: '203.0.113.7', result: 'pass', detail: 'ip4:203.0.113.0/24 in good.test' },
            {
              address: '2001:db8:7::7',
              result: 'pass',
              detail: 'ip6:2001:db8:7::/48 in good.test',
            },
          ],
          dmarc: { policy: 'reject', record: 'v=DMARC1; p=reject' },
          dkim: [{ selector: 's1', status: 'present' }],
        },
      ],
    });
    expect(identityHints(report)).toEqual([]);
    expect(identityAdvice(report, BOTH)).toEqual([]);
    // The SPF record serves both addresses: asked once.
    expect(questions.filter((q) => q === 'TXT good.test')).toHaveLength(1);
    const series = identitySeries(report);
    expect(series.ehloOk).toEqual([{ labels: {}, value: 1 }]);
    expect(series.spfResult).toHaveLength(14);
    expect(series.spfResult.filter((s) => s.value === 1).map((s) => s.labels.result)).toEqual([
      'pass',
      'pass',
    ]);
    expect(series.dmarcPolicy.filter((s) => s.value === 1)).toEqual([
      { labels: { domain: 'good.test', policy: 'reject' }, value: 1 },
    ]);
    expect(series.dkimKeyPresent).toEqual([
      { labels: { domain: 'good.test', selector: 's1' }, value: 1 },
    ]);
  });

  it('SPF not covering the address, no DMARC, no DKIM key, an EHLO name resolving elsewhere: every hint and its advice', async () => {
    const { identity } = check({
      ehloName: 'vm.bad.test',
      sendingDomains: ['bad.test'],
      dkimSelectors: ['s1'],
    });
    const address = [egress('203.0.113.7', [])];
    const report = await identity.finish(address);
    expect(report.ehlo).toEqual({ status: 'mismatch', addresses: ['192.0.2.50'], ptrNames: [] });
    expect(report.domains[0]).toMatchObject({
      spf: [{ address: '203.0.113.7', result: 'fail', detail: '-all in bad.test' }],
      dmarc: { policy: 'missing', record: null },
      dkim: [{ selector: 's1', status: 'missing' }],
    });
    expect(identityHints(report)).toEqual([
      'helo-mismatch',
      'spf-fail',
      'dmarc-missing',
      'dkim-missing',
    ]);
    const advice = identityAdvice(
      report,
      address,
      'Set the PTR in the portal: Public IP address → Configuration → DNS name label.',
    );
    expect(advice).toEqual([
      expect.stringMatching(
        /^The EHLO name "vm\.bad\.test" is not what the egress address says.*Postfix: myhostname = vm\.bad\.test in \/etc\/postfix\/main\.cf; Exim: primary_hostname = vm\.bad\.test/,
      ),
      'Publish an A record: vm.bad.test → 203.0.113.7.',
      'Ask for the PTR of 203.0.113.7 to name vm.bad.test: Set the PTR in the portal: Public IP address → Configuration → DNS name label.',
      expect.stringMatching(
        /SPF of bad\.test does not authorise 203\.0\.113\.7 \(fail: -all in bad\.test\): add ip4:203\.0\.113\.7 to the TXT record at bad\.test/,
      ),
      expect.stringMatching(/publish a TXT record at _dmarc\.bad\.test: "v=DMARC1; p=none/),
      expect.stringMatching(/TXT record at s1\._domainkey\.bad\.test/),
    ]);
    expect(identityLines(report)).toEqual([
      '  EHLO name  vm.bad.test  mismatch  (resolves to 192.0.2.50)',
      '  bad.test',
      '    SPF    203.0.113.7  fail  -all in bad.test',
      '    DMARC  missing',
      '    DKIM   s1  missing',
    ]);
  });

  it('a subdomain takes its parent’s sp= policy; an include passes it', async () => {
    const { identity } = check({ ehloName: 'mail.good.test', sendingDomains: ['sub.parent.test'] });
    const [domain] = (await identity.finish([egress('203.0.113.7', ['mail.good.test'])])).domains;
    expect(domain?.dmarc).toEqual({
      policy: 'quarantine',
      record: 'v=DMARC1; p=reject; sp=quarantine',
    });
    expect(domain?.spf[0]?.result).toBe('pass');
  });

  it('the EHLO name advice points at the name the PTR already confirms', () => {
    const address = [egress('203.0.113.7', ['mail.good.test'])];
    const report = {
      ehloName: 'vm1',
      ehlo: { status: 'not-fqdn' as const, addresses: [], ptrNames: ['mail.good.test'] },
      domains: [],
    };
    expect(identityAdvice(report, address)).toEqual([
      'The EHLO name "vm1" is not a fully qualified domain name, which receivers reject: set it to mail.good.test (Postfix: myhostname = mail.good.test in /etc/postfix/main.cf; Exim: primary_hostname = mail.good.test).',
    ]);
  });

  it('no egress address and no sending domain: not a single question', async () => {
    const { identity, questions } = check({});
    const report = await identity.finish([]);
    expect(report).toEqual({
      ehloName: 'vm1',
      ehlo: { status: 'not-fqdn', addresses: [], ptrNames: [] },
      domains: [],
    });
    expect(questions).toEqual([]);
  });

  it('a DNS server that never answers costs one deadline: temperror and error, no hint about the domain', async () => {
    const { identity } = check(
      {
        ehloName: 'mail.good.test',
        sendingDomains: ['good.test', 'bad.test'],
        dkimSelectors: ['s1', 's2'],
      },
      SILENT,
      150,
    );
    const started = performance.now();
    const report = await identity.finish(BOTH);
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(140);
    expect(elapsed).toBeLessThan(2_000);
    expect(report.domains).toHaveLength(2);
    for (const d of report.domains) {
      expect(d.spf.map((s) => s.result)).toEqual(['temperror', 'temperror']);
      expect(d.dmarc.policy).toBe('error');
      expect(d.dkim.map((k) => k.status)).toEqual(['error', 'error']);
    }
    expect(identityHints(report)).not.toContain('dmarc-missing');
    expect(identityHints(report)).not.toContain('dkim-missing');
    expect(identitySeries(report).dkimKeyPresent).toEqual([]);
  });

  it('the deadline runs while the egress findings are still coming: one deadline, not two', async () => {
    const { identity } = check(
      { ehloName: 'mail.good.test', sendingDomains: ['good.test'], dkimSelectors: ['s1'] },
      SILENT,
      700,
    );
    const started = performance.now();
    const egressLater = new Promise<EgressAddress[]>((resolve) =>
      setTimeout(() => resolve(BOTH), 600),
    );
    const report = await identity.finish(egressLater);
    const elapsed = performance.now() - started;
    expect(report.domains[0]?.spf.map((s) => s.result)).toEqual(['temperror', 'temperror']);
    // 600 ms waiting for the egress findings and 700 ms of deadline overlap: not 1,300 ms.
    expect(elapsed).toBeGreaterThanOrEqual(690);
    expect(elapsed).toBeLessThan(1_200);
  });

  it('a timed-out SPF lookup is a temperror', async () => {
    const { identity } = check({ ehloName: 'mail.good.test', sendingDomains: ['slow.test'] });
    const [domain] = (await identity.finish([egress('203.0.113.7', ['mail.good.test'])])).domains;
    expect(domain?.spf).toEqual([
      {
        address: '203.0.113.7',
        result: 'temperror',
        detail: 'the TXT lookup of slow.test failed (timeout)',
      },
    ]);
  });
});
