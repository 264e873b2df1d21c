// Scenario `reputation`, end to end (CONTRACT §4 port25-refused, §10): the router translates
// the VM's addresses to public ones, as a cloud NAT does; the lab's MX hosts greet those with
// refusals naming them (554 blocked using a DNSBL, 550 listed, 421 rate); the lab DNS lists them
// in one lab zone and not the other, and has no PTR for them. mxprobe must say the path is open
// and the receivers refuse the sender, quote them, and name the zone. With the same servers
// and no translation (`open`), nothing of it may appear.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VM_ADDRESS_V4, VM_ADDRESS_V6 } from '../../lab/topology.js';
import {
  CLEAN_ZONE,
  LISTING_TEXT,
  LISTING_ZONE,
  NAT_PUBLIC_V4,
  NAT_PUBLIC_V6,
  PROVIDERS,
  VM_NAME,
} from '../../lab/zone.js';
import type { EgressAddress } from '../../src/types.js';
import {
  applyScenario,
  describeAttempt,
  LAB_PROBE_SET,
  probeHuman,
  probeJson,
  type JsonRun,
} from './helpers.js';

const scratch = mkdtempSync(join(tmpdir(), 'mxprobe-lab-reputation-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('scenario reputation', () => {
  let json: JsonRun;
  let textfile: string;

  beforeAll(async () => {
    applyScenario('reputation');
    const file = join(scratch, 'reputation.prom');
    json = await probeJson([...LAB_PROBE_SET, '--textfile', file]);
    textfile = readFileSync(file, 'utf8');
  });

  it('says port25-refused and exits 1: the receivers answered and refused, the path is open', () => {
    expect({ exit: json.code, diagnosis: json.report.diagnosis.code }).toEqual({
      exit: 1,
      diagnosis: 'port25-refused',
    });
    const on25 = json.report.attempts.filter((a) => a.port === 25);
    expect(on25).toHaveLength(12);
    expect(on25.map(describeAttempt)).toEqual(
      on25.map((a) => describeAttempt({ ...a, result: 'blocked', reason: 'rejected' })),
    );
    const others = json.report.attempts.filter((a) => a.port !== 25);
    expect(others.every((a) => a.result === 'reachable')).toBe(true);
    expect(json.report.ports.map((p) => `${p.port} ${p.status}`)).toEqual([
      '25 blocked',
      '587 open',
      '465 open',
    ]);
  });

  it('met each provider’s own refusal, naming the public address of the family it came over', () => {
    const greetings = json.report.attempts.filter((a) => a.port === 25).map((a) => a.greeting);
    for (const provider of PROVIDERS) {
      const mine = json.report.attempts.filter((a) => a.target === provider.domain);
      const code = { 'blocked-using': '554', listed: '550', rate: '421' }[provider.refusal];
      for (const a of mine) {
        expect(a.greeting).toMatch(new RegExp(`^${code} `));
        expect(a.greeting).toContain(`[${a.family === 4 ? NAT_PUBLIC_V4 : NAT_PUBLIC_V6}]`);
      }
    }
    expect(new Set(greetings.map((g) => g?.slice(0, 3)))).toEqual(new Set(['554', '550', '421']));
  });

  it('quotes the first refusal and says it is reputation, not a network block', () => {
    const first = json.report.attempts.find((a) => a.port === 25)?.greeting ?? '';
    expect(first).toMatch(
      /^554 5\.7\.1 Service unavailable; Client host \[203\.0\.113\.7\] blocked using/,
    );
    expect(json.report.diagnosis.summary).toContain(`"${first}"`);
    expect(json.report.diagnosis.summary).toMatch(/reputation, not a network block/);
    expect(json.report.diagnosis.summary).not.toMatch(/blocked on the path/);
  });

  it('finds the egress addresses in the greetings: no PTR, listed in one zone, clean in the other', () => {
    const expected = (address: string, family: 4 | 6): EgressAddress => ({
      address,
      family,
      source: 'greeting',
      ptr: { status: 'none', names: [] },
      dnsbl: [
        { zone: LISTING_ZONE, status: 'listed', codes: ['127.0.0.2'], text: LISTING_TEXT },
        { zone: CLEAN_ZONE, status: 'clean' },
      ],
    });
    expect(json.report.egress).toEqual({
      addresses: [expected(NAT_PUBLIC_V4, 4), expected(NAT_PUBLIC_V6, 6)],
    });
    expect(json.report.diagnosis.hints).toEqual(['ptr-missing', 'dnsbl-listed']);
  });

  it('advises delisting in the zone that lists the address, a PTR record, and a relay', () => {
    const advice = json.report.diagnosis.advice.join('\n');
    expect(advice).toContain(
      `${NAT_PUBLIC_V4} and ${NAT_PUBLIC_V6} are listed in ${LISTING_ZONE} (127.0.0.2)`,
    );
    expect(advice).toContain(`ask for removal at https://${LISTING_ZONE}/lookup`);
    expect(advice).toContain(`${NAT_PUBLIC_V4} and ${NAT_PUBLIC_V6} have no PTR record`);
    expect(advice).toMatch(/authenticated relay on port 587 or 465/);
    expect(advice).not.toContain(CLEAN_ZONE);
  });

  it('prints the egress address with ptr: none and the listing zone after the port table', async () => {
    const human = await probeHuman(LAB_PROBE_SET);
    expect(human.code).toBe(1);
    const text = human.stdout;
    expect(text).toMatch(/Diagnosis: port25-refused {2}\(hints: ptr-missing, dnsbl-listed\)/);
    expect(text.indexOf('Egress addresses')).toBeGreaterThan(text.indexOf('\nPorts\n'));
    expect(text).toMatch(
      new RegExp(`\\n {2}203\\.0\\.113\\.7 {2}\\(named by a mail server\\) {2}ptr: none\\n`),
    );
    expect(text).toMatch(
      new RegExp(` {4}${LISTING_ZONE.replaceAll('.', '\\.')} +listed +127\\.0\\.0\\.2`),
    );
    expect(text).toMatch(new RegExp(` {4}${CLEAN_ZONE.replaceAll('.', '\\.')} +clean\\n`));
    expect(text).toMatch(/Client host \[203\.0\.113\.7\]\s+blocked using/);
  });

  it('publishes the findings as metrics', () => {
    expect(textfile).toContain(`mxprobe_egress_ptr_ok{address="${NAT_PUBLIC_V4}"} 0`);
    expect(textfile).toContain(
      `mxprobe_dnsbl_listed{address="${NAT_PUBLIC_V4}",zone="${LISTING_ZONE}"} 1`,
    );
    expect(textfile).toContain(
      `mxprobe_dnsbl_listed{address="${NAT_PUBLIC_V6}",zone="${CLEAN_ZONE}"} 0`,
    );
    expect(textfile).toContain(
      `mxprobe_dnsbl_lookup_status{address="${NAT_PUBLIC_V4}",zone="${CLEAN_ZONE}",status="clean"} 1`,
    );
    expect(textfile).toContain('mxprobe_diagnosis{code="port25-refused"} 1');
  });
});

describe('scenario open: the same servers, the VM’s own addresses', () => {
  let json: JsonRun;

  beforeAll(async () => {
    applyScenario('open');
    json = await probeJson(LAB_PROBE_SET);
  });

  it('nothing of it appears: every greeting a welcome, ok, no hint, clean addresses with PTR', async () => {
    expect({ exit: json.code, diagnosis: json.report.diagnosis.code }).toEqual({
      exit: 0,
      diagnosis: 'ok',
    });
    expect(json.report.diagnosis.hints).toEqual([]);
    expect(json.report.attempts.every((a) => a.greeting?.startsWith('220 '))).toBe(true);
    expect(
      json.report.egress.addresses.map((a) => [a.address, a.ptr.status, a.ptr.names.join()]),
    ).toEqual([
      [VM_ADDRESS_V4, 'ok', VM_NAME],
      [VM_ADDRESS_V6, 'ok', VM_NAME],
    ]);
    const statuses = json.report.egress.addresses.flatMap((a) => a.dnsbl.map((d) => d.status));
    expect(statuses).toEqual(['clean', 'clean', 'clean', 'clean']);
    expect(json.report.diagnosis.advice.join('\n')).not.toMatch(/listed|PTR|refuse/);
    const human = await probeHuman(LAB_PROBE_SET);
    expect(human.stdout).not.toMatch(/ptr: none|listed|port25-refused|refuse/);
  });
});

describe('the lookups’ time', () => {
  it('a dead DNS server: the reputation lookups end with the targets’ own DNS budget', async () => {
    applyScenario('dns-down');
    const withAddress = await probeJson([...LAB_PROBE_SET, '--egress-address', NAT_PUBLIC_V4]);
    expect(withAddress.report.diagnosis.code).toBe('dns-failed');
    const [address] = withAddress.report.egress.addresses;
    expect(address?.ptr.status).toBe('error');
    expect(address?.dnsbl.map((d) => d.status)).toEqual(['error', 'error']);
    // One 4 s deadline, beside the targets' own 4 s: the pass is not longer for it.
    expect(withAddress.report.durationMs).toBeGreaterThanOrEqual(3_900);
    expect(withAddress.report.durationMs).toBeLessThan(6_000);
    process.stderr.write(
      `reputation lookups, dead DNS: pass ${withAddress.report.durationMs} ms (targets and egress ${NAT_PUBLIC_V4})\n`,
    );
  });

  it('a working DNS server: the lookups of both addresses take milliseconds', async () => {
    applyScenario('reputation');
    const run = await probeJson([...LAB_PROBE_SET, '--log-level', 'debug']);
    const checked = run.stderr
      .split('\n')
      .filter((line) => line.includes('egress address checked'))
      .map((line) => JSON.parse(line) as { address: string; durationMs: number });
    expect(checked.map((c) => c.address).sort()).toEqual([NAT_PUBLIC_V6, NAT_PUBLIC_V4].sort());
    for (const c of checked) expect(c.durationMs).toBeLessThan(1_000);
    process.stderr.write(
      `reputation lookups, working DNS: ${checked.map((c) => `${c.address} ${c.durationMs} ms`).join(', ')}; pass ${run.report.durationMs} ms\n`,
    );
  });
});
