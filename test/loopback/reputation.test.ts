// CONTRACT §10 on loopback: the egress checks as a user meets them through the built CLI and
// a real DNS server on 127.0.0.1, and the promise that matters most on a machine without a
// public address: when nothing names one, not a single PTR or DNSBL question is sent.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PROBE_SET, loadConfigFile } from '../../src/config/load.js';
import type { Dial, DialFacts } from '../../src/probe/dial.js';
import { runPass } from '../../src/pass/run.js';
import type { DnsClient } from '../../src/dns/client.js';
import type { Report } from '../../src/types.js';
import { startDnsServer, type DnsServer } from '../../lab/dns-server.js';
import { realSmtpServer, scriptedServer, type Loopback } from '../helpers/loopback-servers.js';
import { mxprobe } from '../helpers/run-mxprobe.js';

const REFUSAL =
  '554 5.7.1 Service unavailable; Client host [127.0.0.1] blocked using zen.spamhaus.org';

let dns: DnsServer;
let refusing: Loopback;
let smtp: Loopback;
let silentDns: UdpSocket;
let silentDnsPort: number;

beforeAll(async () => {
  dns = await startDnsServer({
    mx: { 'mail.test': ['mx.mail.test'] },
    a: {
      'mx.mail.test': ['127.0.0.1'],
      'mail.egress.test': ['203.0.113.70'],
      '7.113.0.203.traps.dnsbl.test': ['127.0.0.2'],
      '70.113.0.203.traps.dnsbl.test': ['127.0.0.2'],
    },
    ptr: { '70.113.0.203.in-addr.arpa': ['mail.egress.test'] },
    txt: { '7.113.0.203.traps.dnsbl.test': ['Listed by traps: https://dnsbl.test/q/203.0.113.7'] },
  });
  refusing = await scriptedServer((c) => c.write(`${REFUSAL}\r\n`));
  smtp = await realSmtpServer();
  silentDns = createSocket('udp4');
  await new Promise<void>((r) => silentDns.bind(0, '127.0.0.1', r));
  silentDnsPort = silentDns.address().port;
});
afterAll(async () => {
  await Promise.all([dns.close(), refusing.close(), smtp.close()]);
  silentDns.close();
});

const json = (stdout: string): Report => JSON.parse(stdout) as Report;

describe('no public address, no question', () => {
  it('a server naming [127.0.0.1] and a loopback source address: the DNS server hears no PTR or DNSBL question', async () => {
    dns.questions.length = 0;
    // The default zones stay configured: were a lookup made, it would be for zen.spamhaus.org.
    const run = await mxprobe([
      'probe',
      '--once',
      '--json',
      '--domain',
      'mail.test',
      '--ports',
      `${refusing.port},${smtp.port}`,
      '--dns-server',
      dns.address,
    ]);
    const report = json(run.stdout);
    expect(report.attempts.map((a) => a.greeting?.slice(0, 3))).toEqual(['554', '220']);
    expect(report.egress).toEqual({ addresses: [] });
    expect(dns.questions.sort()).toEqual(['A mx.mail.test', 'AAAA mx.mail.test', 'MX mail.test']);
  });

  it('the shipped probe set, every server reached on loopback: only the targets are resolved', async () => {
    const config = await loadConfigFile(DEFAULT_PROBE_SET);
    const questions: string[] = [];
    const fakeResolver = (): DnsClient => {
      const ask =
        <T>(type: string, value: (name: string) => T) =>
        (name: string): Promise<T> => {
          questions.push(`${type} ${name}`);
          return Promise.resolve(value(name));
        };
      return {
        mx: ask('MX', (name) => [{ exchange: `mx.${name}`, priority: 10 }]),
        a: ask('A', () => ['127.0.0.1']),
        aaaa: ask('AAAA', () => ['::1']),
        ptr: ask('PTR', () => ['should-never-be-asked.test']),
        txt: ask('TXT', () => ['should never be asked']),
        cancel: () => undefined,
      };
    };
    // Every receiver refuses on 25 naming our (loopback) address, greets elsewhere, and names
    // us again in its EHLO reply; our source address is loopback too.
    const dial: Dial = (request) =>
      Promise.resolve<DialFacts>({
        outcome: { kind: 'greeting', code: request.port === 25 ? 554 : 220 },
        durationMs: 3,
        greeting:
          request.port === 25
            ? `554 5.7.1 Client host [${request.address}] blocked using zen.spamhaus.org`
            : '220 mx ESMTP',
        tls: null,
        starttls: undefined,
        ehlo: request.port === 587 ? `250-mx Nice to meet you, [${request.address}]` : undefined,
        localAddress: request.address,
        errorCode: undefined,
        connectTries: 1,
        connections: 1,
      });
    const report = await runPass(config, {
      dial,
      dnsClient: fakeResolver,
      detectCloud: () => Promise.resolve({ cloud: 'none' }),
    });
    expect(report.attempts.length).toBeGreaterThan(20);
    expect(report.diagnosis.code).toBe('port25-refused');
    expect(report.egress).toEqual({ addresses: [] });
    expect(questions.filter((q) => !/^(MX|A|AAAA) /.test(q))).toEqual([]);
    const targetNames = new Set(config.targets.map((t) => t.name));
    const asked = questions.map((q) => q.split(' ')[1] ?? '');
    expect(
      asked.filter((name) => !targetNames.has(name) && !targetNames.has(name.replace(/^mx\./, ''))),
    ).toEqual([]);
  });
});

describe('an egress address from the config, checked beside the probes', () => {
  it('finds the listing and the missing PTR through the configured DNS server, and shows them', async () => {
    const args = [
      'probe',
      '--once',
      '--host',
      '127.0.0.1',
      '--ports',
      String(smtp.port),
      '--dns-server',
      dns.address,
      '--egress-address',
      '203.0.113.7',
      '--dnsbl',
      'traps.dnsbl.test,reports.dnsbl.test',
    ];
    const run = await mxprobe([...args, '--json']);
    expect(run.code).toBe(0);
    const report = json(run.stdout);
    expect(report.egress).toEqual({
      addresses: [
        {
          address: '203.0.113.7',
          family: 4,
          source: 'config',
          ptr: { status: 'none', names: [] },
          dnsbl: [
            {
              zone: 'traps.dnsbl.test',
              status: 'listed',
              codes: ['127.0.0.2'],
              text: 'Listed by traps: https://dnsbl.test/q/203.0.113.7',
            },
            { zone: 'reports.dnsbl.test', status: 'clean' },
          ],
        },
      ],
    });
    expect(report.diagnosis).toMatchObject({ code: 'ok', hints: ['ptr-missing', 'dnsbl-listed'] });
    expect(report.diagnosis.advice.join('\n')).toMatch(
      /listed in traps\.dnsbl\.test .*removal at https:\/\/dnsbl\.test\/q\/203\.0\.113\.7/,
    );

    const human = await mxprobe(args);
    expect(human.stdout).toMatch(
      /Egress addresses\n {2}203\.0\.113\.7 {2}\(from the config\) {2}ptr: none\n/,
    );
    expect(human.stdout).toMatch(
      / {4}traps\.dnsbl\.test {4}listed {3}127\.0\.0\.2 {2}"Listed by traps/,
    );
    expect(human.stdout).toMatch(/ {4}reports\.dnsbl\.test {2}clean\n/);
  });

  it('a forward-confirmed PTR is ok, and DNSBL lookups are off with --dnsbl none', async () => {
    dns.questions.length = 0;
    const run = await mxprobe([
      'probe',
      '--once',
      '--json',
      '--host',
      '127.0.0.1',
      '--ports',
      String(smtp.port),
      '--dns-server',
      dns.address,
      '--egress-address',
      '203.0.113.70',
      '--dnsbl',
      'none',
    ]);
    const [address] = json(run.stdout).egress.addresses;
    expect(address).toMatchObject({
      ptr: { status: 'ok', names: ['mail.egress.test'] },
      dnsbl: [],
    });
    expect(dns.questions.sort()).toEqual(['A mail.egress.test', 'PTR 70.113.0.203.in-addr.arpa']);
  });

  it('a dead DNS server costs one deadline, not one per lookup, and the port verdict is not held up', async () => {
    const run = await mxprobe([
      'probe',
      '--once',
      '--json',
      '--host',
      '127.0.0.1',
      '--ports',
      String(smtp.port),
      '--dns-server',
      `127.0.0.1:${silentDnsPort}`,
      '--egress-address',
      '203.0.113.7',
      '--egress-address',
      '2001:db8:7::7',
      '--dnsbl',
      'a.dnsbl.test,b.dnsbl.test,c.dnsbl.test',
    ]);
    const report = json(run.stdout);
    expect(report.attempts.map((a) => a.result)).toEqual(['reachable']);
    expect(report.attempts[0]?.durationMs).toBeLessThan(1_000);
    expect(report.egress.addresses.map((a) => a.address)).toEqual(['203.0.113.7', '2001:db8:7::7']);
    for (const a of report.egress.addresses) {
      expect(a.ptr.status).toBe('error');
      expect(a.dnsbl.map((d) => d.status)).toEqual(['error', 'error', 'error']);
    }
    // One 4 s deadline for both addresses and their eight lookups, not 8 × 4 s.
    expect(report.durationMs).toBeGreaterThanOrEqual(3_900);
    expect(report.durationMs).toBeLessThan(5_000);
    expect(report.diagnosis.hints).toEqual([]);
  });
});
