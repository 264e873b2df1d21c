// CONTRACT §10 point 3 (v3): a mail server on loopback that names an address in its refusal
// does not choose which address mxprobe looks up. Counted at a real DNS server on 127.0.0.1:
// not one question is asked, because the only target is an address literal.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Report } from '../../src/types.js';
import { startDnsServer, type DnsServer } from '../../lab/dns-server.js';
import { scriptedServer, type Loopback } from '../helpers/loopback-servers.js';
import { mxprobe } from '../helpers/run-mxprobe.js';

let dns: DnsServer;
let refusing: Loopback;

beforeAll(async () => {
  dns = await startDnsServer({ mx: {}, a: {} });
  refusing = await scriptedServer((c) =>
    c.write('554 5.7.1 Service unavailable; Client host [203.0.113.7] blocked\r\n'),
  );
});
afterAll(async () => {
  await Promise.all([dns.close(), refusing.close()]);
});

it('a loopback server naming [203.0.113.7] in its greeting: no egress address, no DNS question', async () => {
  const run = await mxprobe([
    'probe',
    '--once',
    '--json',
    '--host',
    '127.0.0.1',
    '--ports',
    String(refusing.port),
    '--dns-server',
    dns.address,
  ]);
  const report = JSON.parse(run.stdout) as Report;
  expect(report.attempts.map((a) => [a.result, a.reason])).toEqual([['blocked', 'rejected']]);
  expect(report.attempts[0]?.greeting).toContain('[203.0.113.7]');
  expect(report.egress).toEqual({ addresses: [] });
  expect(dns.questions).toEqual([]);
});
