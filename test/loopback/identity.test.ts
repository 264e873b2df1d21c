// CONTRACT §11 on loopback: sender identity as a user meets it through the built CLI, a config
// file with an identity: section and a real DNS server on 127.0.0.1 — the report's identity
// section, the hints and advice, and the human output's "Sender identity".
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/types.js';
import { startDnsServer, type DnsServer } from '../../lab/dns-server.js';
import { realSmtpServer, type Loopback } from '../helpers/loopback-servers.js';
import { mxprobe } from '../helpers/run-mxprobe.js';

const KEY = Buffer.alloc(32, 9).toString('base64');
let dns: DnsServer;
let smtp: Loopback;
let dir: string;

beforeAll(async () => {
  dns = await startDnsServer({
    mx: {},
    a: { 'mail.egress.test': ['203.0.113.70'], 'vm.bad.test': ['192.0.2.50'] },
    ptr: { '70.113.0.203.in-addr.arpa': ['mail.egress.test'] },
    txt: {
      'good.test': ['v=spf1 ip4:203.0.113.64/28 -all'],
      '_dmarc.good.test': ['v=DMARC1; p=reject'],
      's1._domainkey.good.test': [`v=DKIM1; k=ed25519; p=${KEY}`],
      'bad.test': ['v=spf1 ip4:192.0.2.0/24 -all'],
    },
  });
  smtp = await realSmtpServer();
  dir = mkdtempSync(join(tmpdir(), 'mxprobe-identity-'));
});
afterAll(async () => {
  await Promise.all([dns.close(), smtp.close()]);
});

function config(name: string, identity: string): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    [
      'targets:',
      '  - host: 127.0.0.1',
      `    ports: [${smtp.port}]`,
      `dnsServers: ["${dns.address}"]`,
      'cloudDetection:',
      '  enabled: false',
      'reputation:',
      '  dnsbl: []',
      '  egressAddresses: [203.0.113.70]',
      'identity:',
      identity,
      '',
    ].join('\n'),
  );
  return file;
}

describe('sender identity', () => {
  it('SPF that does not cover the address, no DMARC, no DKIM key, an EHLO name elsewhere: four hints and what to change', async () => {
    const file = config(
      'bad',
      '  ehloName: vm.bad.test\n  sendingDomains: [bad.test]\n  dkimSelectors: [s1]',
    );
    const run = await mxprobe(['probe', '--once', '--json', '--config', file]);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as Report;
    expect(report.identity).toEqual({
      ehloName: 'vm.bad.test',
      ehlo: { status: 'mismatch', addresses: ['192.0.2.50'], ptrNames: ['mail.egress.test'] },
      domains: [
        {
          domain: 'bad.test',
          spf: [{ address: '203.0.113.70', result: 'fail', detail: '-all in bad.test' }],
          dmarc: { policy: 'missing', record: null },
          dkim: [{ selector: 's1', status: 'missing' }],
        },
      ],
    });
    expect(report.diagnosis.code).toBe('ok');
    expect(report.diagnosis.hints).toEqual([
      'helo-mismatch',
      'spf-fail',
      'dmarc-missing',
      'dkim-missing',
    ]);
    const advice = report.diagnosis.advice.join('\n');
    expect(advice).toMatch(
      /set it to mail\.egress\.test \(Postfix: myhostname = mail\.egress\.test/,
    );
    expect(advice).toMatch(/add ip4:203\.0\.113\.70 to the TXT record at bad\.test/);
    expect(advice).toMatch(/_dmarc\.bad\.test/);
    expect(advice).toMatch(/s1\._domainkey\.bad\.test/);

    const human = await mxprobe(['probe', '--once', '--config', file]);
    expect(human.stdout).toContain(
      [
        'Sender identity',
        '  EHLO name  vm.bad.test  mismatch  (resolves to 192.0.2.50; egress PTR mail.egress.test)',
        '  bad.test',
        '    SPF    203.0.113.70  fail  -all in bad.test',
        '    DMARC  missing',
        '    DKIM   s1  missing',
      ].join('\n'),
    );
  });

  it('a domain whose SPF passes, DMARC reject, a DKIM key, and a matching EHLO name: no identity hint', async () => {
    dns.questions.length = 0;
    const file = config(
      'good',
      '  ehloName: mail.egress.test\n  sendingDomains: [good.test]\n  dkimSelectors: [s1]',
    );
    const run = await mxprobe(['probe', '--once', '--json', '--config', file]);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as Report;
    expect(report.identity?.ehlo.status).toBe('ok');
    expect(report.identity?.domains).toEqual([
      {
        domain: 'good.test',
        spf: [
          { address: '203.0.113.70', result: 'pass', detail: 'ip4:203.0.113.64/28 in good.test' },
        ],
        dmarc: { policy: 'reject', record: 'v=DMARC1; p=reject' },
        dkim: [{ selector: 's1', status: 'present' }],
      },
    ]);
    expect(report.diagnosis.hints).toEqual([]);
    // Each question once, through the configured server.
    const asked = dns.questions.filter((q) => q.includes('good.test'));
    expect(asked.sort()).toEqual([
      'TXT _dmarc.good.test',
      'TXT good.test',
      'TXT s1._domainkey.good.test',
    ]);
  });
});
