// CONTRACT §4 `port25-refused`: mail servers answered on 25 and refused this machine. The
// diagnosis quotes them, says it is reputation and not a network block, and its advice carries
// the findings of §10 (listing zone and delisting page, missing PTR and who sets it, relay).
import { describe, expect, it } from 'vitest';
import { diagnose, diagnosisCode, type DiagnosisInput } from '../../../src/diagnosis/diagnose.js';
import { tallyAttempts } from '../../../src/diagnosis/port-status.js';
import { renderReport } from '../../../src/report/render.js';
import { seriesFromReport } from '../../../src/report/series.js';
import type { Attempt, EgressReport, RelayReport, Report } from '../../../src/types.js';
import { LISTED_EGRESS, report } from '../../helpers/report-fixtures.js';

const BLOCKED_USING =
  '554 5.7.1 Service unavailable; Client host [203.0.113.7] blocked using dnsbl.example';
const LISTED = '550 5.7.1 [203.0.113.7] Your IP address is listed in a blocklist';
const RATE = '421 4.7.0 [203.0.113.7] unusual rate of unsolicited mail from your IP address';

let serial = 0;
function attempt(port: number, fields: Partial<Attempt>): Attempt {
  serial += 1;
  return {
    target: port === 25 ? `d${serial % 3}.example` : 'smtp.example',
    host: `mx${serial}.example`,
    address: `198.51.100.${serial % 250}`,
    family: 4,
    port,
    result: 'reachable',
    reason: 'greeting',
    durationMs: 12,
    greeting: '220 mx.example ESMTP',
    tls: null,
    ...fields,
  };
}
const refusedWith = (greeting: string): Attempt =>
  attempt(25, { result: 'blocked', reason: 'rejected', greeting });
const submission = (): Attempt => attempt(587, {});
const dropped25 = (): Attempt =>
  attempt(25, { result: 'filtered', reason: 'timeout', greeting: null });

function input(
  attempts: Attempt[],
  egress: EgressReport = { addresses: [] },
  relays: RelayReport[] = [],
): DiagnosisInput {
  const { families, counted, ports } = tallyAttempts(attempts, [25, 587]);
  return {
    targets: [{ target: 'd0.example', kind: 'domain', resolution: 'ok', hosts: [], ports: [25] }],
    attempts,
    families,
    counted,
    ports,
    relays,
    egress,
    port25Advice: ['Ask the provider to open port 25.'],
    ptrAdvice: 'On TestCloud set the reverse name of the public IP.',
  };
}

describe('diagnosisCode: port25-refused, after dns-failed and before egress-blocked', () => {
  it.each(
    (
      [
        [
          'every port-25 server refused, 587 works',
          [refusedWith(LISTED), submission()],
          'port25-refused',
        ],
        [
          'refused and dropped on 25, 587 works',
          [refusedWith(RATE), dropped25(), submission()],
          'port25-refused',
        ],
        ['refused on 25 and nothing else reachable', [refusedWith(RATE)], 'port25-refused'],
        ['only dropped on 25: the network', [dropped25(), submission()], 'port25-blocked'],
        [
          'one server refused, another greeted',
          [refusedWith(RATE), attempt(25, {}), submission()],
          'partial',
        ],
        [
          'a rejecting submission port is not port 25',
          [
            attempt(25, {}),
            attempt(587, { result: 'blocked', reason: 'rejected', greeting: RATE }),
          ],
          'partial',
        ],
      ] satisfies [string, Attempt[], string][]
    ).map(([what, attempts, code]) => [`${what} → ${code}`, attempts, code] as const),
  )('%s', (_title, attempts, code) => {
    expect(diagnosisCode(input(attempts))).toBe(code);
  });
});

describe('the words of port25-refused', () => {
  const attempts = [
    refusedWith(BLOCKED_USING),
    refusedWith(BLOCKED_USING),
    refusedWith(LISTED),
    refusedWith(RATE),
    submission(),
  ];

  it('quotes the first refusal once, counts the other texts, and says it is not a network block', () => {
    const d = diagnose(input(attempts, LISTED_EGRESS));
    expect(d.code).toBe('port25-refused');
    expect(d.summary).toContain(`"${BLOCKED_USING}"`);
    expect(d.summary.split(BLOCKED_USING)).toHaveLength(2);
    expect(d.summary).toMatch(/and 2 other refusal texts/);
    expect(d.summary).toMatch(/reputation, not a network block/);
    expect(d.summary).not.toMatch(/blocked on the path/);
    expect(d.advice.join('\n')).not.toContain('Ask the provider to open port 25.');
  });

  it('gives the listing zone and its delisting page, the missing PTR with who sets it, and the relay', () => {
    const d = diagnose(input(attempts, LISTED_EGRESS));
    const advice = d.advice.join('\n');
    expect(advice).toMatch(/203\.0\.113\.7 is listed in dnsbl\.example \(127\.0\.0\.2\)/);
    // An unknown zone's page comes from its TXT text.
    expect(advice).toContain('ask for removal at https://dnsbl.example/q/203.0.113.7');
    expect(advice).toMatch(/203\.0\.113\.7 has no PTR record/);
    expect(advice).toContain('On TestCloud set the reverse name of the public IP.');
    expect(advice).toMatch(
      /zen\.spamhaus\.org did not answer for 203\.0\.113\.7 \(127\.255\.255\.254: .*public or open resolver/,
    );
    expect(advice).toContain('https://check.spamhaus.org/');
    expect(advice).toMatch(/authenticated relay on port 587 or 465/);
    expect(d.hints).toEqual(['ptr-missing', 'dnsbl-listed']);
  });

  it('names a known zone by its own delisting page', () => {
    const egress: EgressReport = {
      addresses: [
        {
          address: '203.0.113.7',
          family: 4,
          source: 'greeting',
          ptr: { status: 'ok', names: ['mail.example'] },
          dnsbl: [{ zone: 'bl.spamcop.net', status: 'listed', codes: ['127.0.0.2'] }],
        },
      ],
    };
    const d = diagnose(input([refusedWith(LISTED), submission()], egress));
    expect(d.advice.join('\n')).toContain('ask for removal at https://www.spamcop.net/bl.shtml');
    expect(d.hints).toEqual(['dnsbl-listed']);
  });

  it('says a working relay is the way out meanwhile', () => {
    const relay: RelayReport = {
      name: 'acs',
      host: 'relay.example',
      port: 587,
      status: 'ok',
      reason: null,
      durationMs: 9,
    };
    const d = diagnose(input([refusedWith(LISTED), submission()], LISTED_EGRESS, [relay]));
    expect(d.advice.join('\n')).toMatch(/configured relay acs, which works/);
  });

  it('without an egress address, says how to name it', () => {
    const d = diagnose(input([refusedWith('554 go away'), submission()]));
    expect(d.advice.join('\n')).toMatch(/reputation\.egressAddresses/);
    expect(d.hints).toEqual([]);
  });

  it('with nothing found against the address, points at the receivers’ own appeal', () => {
    const clean: EgressReport = {
      addresses: [
        {
          address: '203.0.113.7',
          family: 4,
          source: 'cloud',
          ptr: { status: 'ok', names: ['mail.example'] },
          dnsbl: [{ zone: 'bl.spamcop.net', status: 'clean' }],
        },
      ],
    };
    const d = diagnose(input([refusedWith(RATE), submission()], clean));
    expect(d.advice.join('\n')).toMatch(/No configured blocklist lists 203\.0\.113\.7/);
  });

  it('never prints the control characters of a hostile greeting or TXT record', () => {
    const hostile = '554 \u001b[2Jgone\u0007';
    const egress: EgressReport = {
      addresses: [
        {
          address: '203.0.113.7',
          family: 4,
          source: 'greeting',
          ptr: { status: 'mismatch', names: ['evil\u001b]0;x\u0007.example'] },
          dnsbl: [
            { zone: 'dnsbl.example', status: 'listed', codes: ['127.0.0.2'], text: 'x\u001b[31my' },
          ],
        },
      ],
    };
    const d = diagnose(input([refusedWith(hostile), submission()], egress));
    const all = [d.summary, ...d.advice].join('\n');
    expect(all).toContain('554 \\x1b[2Jgone\\x07');
    expect(all).toContain('x\\x1b[31my');
    expect([...all].filter((c) => c !== '\n' && (c.codePointAt(0) ?? 0) < 0x20)).toEqual([]);
    expect(d.hints).toEqual(['ptr-mismatch', 'dnsbl-listed']);
  });
});

describe('egress in the human output and the metrics', () => {
  const listed: Report = report([refusedWith(LISTED), submission()], 'port25-refused', {
    egress: LISTED_EGRESS,
  });

  it('shows each egress address with its source, PTR and every zone, after the port table', () => {
    const text = renderReport(listed, { color: false, width: 100 });
    const lines = text.split('\n');
    const ports = lines.indexOf('Ports');
    const egress = lines.indexOf('Egress addresses');
    expect(ports).toBeGreaterThan(0);
    expect(egress).toBeGreaterThan(ports);
    expect(lines[egress + 1]).toMatch(
      /^ {2}203\.0\.113\.7 {2}\(named by a mail server\) {2}ptr: none$/,
    );
    expect(lines[egress + 2]).toMatch(
      /^ {4}dnsbl\.example +listed {3}127\.0\.0\.2 {2}"Listed: see/,
    );
    expect(lines[egress + 3]).toMatch(/^ {4}other\.example +clean$/);
    expect(lines[egress + 4]).toMatch(/^ {4}zen\.spamhaus\.org +refused {2}127\.255\.255\.254$/);
  });

  it('says nothing about egress when there is no address', () => {
    const text = renderReport(report([attempt(25, {})], 'ok'), { color: false, width: 100 });
    expect(text).not.toContain('Egress');
  });

  it('publishes PTR ok, listed or clean (nothing for refused), and the lookup status state set', () => {
    const series = seriesFromReport(listed);
    expect(series.egressPtrOk).toEqual([{ labels: { address: '203.0.113.7' }, value: 0 }]);
    expect(series.dnsblListed).toEqual([
      { labels: { address: '203.0.113.7', zone: 'dnsbl.example' }, value: 1 },
      { labels: { address: '203.0.113.7', zone: 'other.example' }, value: 0 },
    ]);
    const current = series.dnsblLookupStatus.filter((s) => s.value === 1);
    expect(current.map((s) => `${s.labels.zone} ${s.labels.status}`)).toEqual([
      'dnsbl.example listed',
      'other.example clean',
      'zen.spamhaus.org refused',
    ]);
    expect(series.dnsblLookupStatus).toHaveLength(12);
    expect(series.diagnosis.find((s) => s.value === 1)?.labels.code).toBe('port25-refused');
  });
});
