// Scenarios `identity` and `open`, end to end (CONTRACT §11): the VM sends for a domain whose
// SPF does not cover its addresses, without DMARC or DKIM, under an EHLO name that resolves
// elsewhere — every identity hint, the report's identity section, the human output's "Sender
// identity", the metrics and the advice; and in `open`, for a domain where all of it agrees,
// no hint. The port verdict stays `ok` in both: identity never changes it.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VM_ADDRESS_V4, VM_ADDRESS_V6 } from '../../lab/topology.js';
import {
  BAD_SENDER,
  ELSEWHERE_ADDRESS,
  ELSEWHERE_NAME,
  GOOD_SENDER,
  LAB_DKIM_SELECTOR,
  VM_NAME,
} from '../../lab/zone.js';
import { applyScenario, LAB_PROBE_SET, probeHuman, probeJson, type JsonRun } from './helpers.js';

const scratch = mkdtempSync(join(tmpdir(), 'mxprobe-lab-identity-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('scenario identity', () => {
  let json: JsonRun;
  let textfile: string;

  beforeAll(async () => {
    applyScenario('identity');
    const file = join(scratch, 'identity.prom');
    json = await probeJson([...LAB_PROBE_SET, '--textfile', file]);
    textfile = readFileSync(file, 'utf8');
    process.stderr.write(`identity scenario: pass ${json.report.durationMs} ms\n`);
  });

  it('keeps the port verdict and gives every identity hint', () => {
    expect({ exit: json.code, diagnosis: json.report.diagnosis.code }).toEqual({
      exit: 0,
      diagnosis: 'ok',
    });
    expect(json.report.diagnosis.hints).toEqual([
      'helo-mismatch',
      'spf-fail',
      'dmarc-missing',
      'dkim-missing',
    ]);
  });

  it('reports what a receiver would find', () => {
    expect(json.report.identity).toEqual({
      ehloName: ELSEWHERE_NAME,
      ehlo: { status: 'mismatch', addresses: [ELSEWHERE_ADDRESS], ptrNames: [VM_NAME] },
      domains: [
        {
          domain: BAD_SENDER,
          spf: [
            { address: VM_ADDRESS_V4, result: 'fail', detail: `-all in ${BAD_SENDER}` },
            { address: VM_ADDRESS_V6, result: 'fail', detail: `-all in ${BAD_SENDER}` },
          ],
          dmarc: { policy: 'missing', record: null },
          dkim: [{ selector: LAB_DKIM_SELECTOR, status: 'missing' }],
        },
      ],
    });
  });

  it('says what to change and where', () => {
    const advice = json.report.diagnosis.advice.join('\n');
    expect(advice).toContain(
      `set it to ${VM_NAME} (Postfix: myhostname = ${VM_NAME} in /etc/postfix/main.cf; Exim: primary_hostname = ${VM_NAME})`,
    );
    expect(advice).toContain(`add ip4:${VM_ADDRESS_V4} to the TXT record at ${BAD_SENDER}`);
    expect(advice).toContain(`add ip6:${VM_ADDRESS_V6} to the TXT record at ${BAD_SENDER}`);
    expect(advice).toContain(`_dmarc.${BAD_SENDER}`);
    expect(advice).toContain(`${LAB_DKIM_SELECTOR}._domainkey.${BAD_SENDER}`);
  });

  it('shows a Sender identity section', async () => {
    const human = await probeHuman(LAB_PROBE_SET);
    expect(human.stdout).toContain(
      [
        'Sender identity',
        `  EHLO name  ${ELSEWHERE_NAME}  mismatch  (resolves to ${ELSEWHERE_ADDRESS}; egress PTR ${VM_NAME})`,
        `  ${BAD_SENDER}`,
        `    SPF    ${VM_ADDRESS_V4}  fail  -all in ${BAD_SENDER}`,
        `    SPF    ${VM_ADDRESS_V6}  fail  -all in ${BAD_SENDER}`,
        '    DMARC  missing',
        `    DKIM   ${LAB_DKIM_SELECTOR}  missing`,
      ].join('\n'),
    );
    expect(human.stdout).toMatch(/hints: helo-mismatch, spf-fail, dmarc-missing, dkim-missing/);
  });

  it('publishes the findings as metrics', () => {
    expect(textfile).toContain('mxprobe_ehlo_ok 0');
    expect(textfile).toContain(
      `mxprobe_spf_result{domain="${BAD_SENDER}",address="${VM_ADDRESS_V4}",result="fail"} 1`,
    );
    expect(textfile).toContain(
      `mxprobe_spf_result{domain="${BAD_SENDER}",address="${VM_ADDRESS_V4}",result="pass"} 0`,
    );
    expect(textfile).toContain(`mxprobe_dmarc_policy{domain="${BAD_SENDER}",policy="missing"} 1`);
    expect(textfile).toContain(
      `mxprobe_dkim_key_present{domain="${BAD_SENDER}",selector="${LAB_DKIM_SELECTOR}"} 0`,
    );
  });
});

describe('scenario open: a sending domain where everything agrees', () => {
  let json: JsonRun;
  let textfile: string;

  beforeAll(async () => {
    applyScenario('open');
    const file = join(scratch, 'open.prom');
    json = await probeJson([...LAB_PROBE_SET, '--textfile', file]);
    textfile = readFileSync(file, 'utf8');
  });

  it('SPF pass through an include, DMARC reject, a DKIM key, the EHLO name confirmed: no hint', () => {
    expect(json.report.diagnosis).toMatchObject({ code: 'ok', hints: [] });
    expect(json.report.identity).toEqual({
      ehloName: VM_NAME,
      ehlo: { status: 'ok', addresses: [VM_ADDRESS_V4, VM_ADDRESS_V6], ptrNames: [VM_NAME] },
      domains: [
        {
          domain: GOOD_SENDER,
          spf: [
            {
              address: VM_ADDRESS_V4,
              result: 'pass',
              detail: `include:_spf.${GOOD_SENDER} in ${GOOD_SENDER}`,
            },
            {
              address: VM_ADDRESS_V6,
              result: 'pass',
              detail: `include:_spf.${GOOD_SENDER} in ${GOOD_SENDER}`,
            },
          ],
          dmarc: {
            policy: 'reject',
            record: `v=DMARC1; p=reject; rua=mailto:dmarc@${GOOD_SENDER}`,
          },
          dkim: [{ selector: LAB_DKIM_SELECTOR, status: 'present' }],
        },
      ],
    });
    expect(textfile).toContain('mxprobe_ehlo_ok 1');
    expect(textfile).toContain(`mxprobe_dmarc_policy{domain="${GOOD_SENDER}",policy="reject"} 1`);
    expect(textfile).toContain(
      `mxprobe_dkim_key_present{domain="${GOOD_SENDER}",selector="${LAB_DKIM_SELECTOR}"} 1`,
    );
  });
});
