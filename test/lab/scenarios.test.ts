// Every egress scenario, end to end: the built mxprobe run in the lab VM against the lab's
// probe set (three providers' MX hosts on 25, their submission hosts on 587 and 465), and what
// the contract says a user must see: each attempt's result and reason, the port statuses, the
// diagnosis, the exit status, a readable table and valid JSON.

import { beforeAll, describe, expect, it } from 'vitest';
import { INTERCEPTOR, PARTIAL_PROVIDER } from '../../lab/zone.js';
import type { ScenarioName } from '../../lab/scenarios.js';
import { DNS_BUDGET_MS } from '../../src/dns/client.js';
import type { Attempt, DiagnosisCode, PortStatus, Report } from '../../src/types.js';
import {
  applyScenario,
  expectAttempts,
  LAB_PROBE_SET,
  portStatuses,
  probeHuman,
  probeJson,
  type JsonRun,
} from './helpers.js';

type Expected = [Attempt['result'], Attempt['reason']];
const REACHABLE: Expected = ['reachable', 'greeting'];

interface Case {
  scenario: ScenarioName;
  exit: number;
  diagnosis: DiagnosisCode;
  ports: Record<number, PortStatus>;
  attempt: (a: Attempt) => Expected;
  families?: Report['environment']['families'];
  /** What the diagnosis summary must tell the person at the VM. */
  summary?: RegExp;
  /** The cloud mxprobe should detect (the lab's fake IMDS answers only in `azure`). */
  cloud?: Report['environment']['cloud'];
  /** What the advice must mention. */
  advice?: RegExp;
  /** Upper bound on the wall-clock time of the run. */
  maxMs?: number;
  /** No server answered and no cloud said: the pass learns no egress address to check. */
  noEgressAddress?: true;
}

const on25 =
  (expected: Expected) =>
  (a: Attempt): Expected =>
    a.port === 25 ? expected : REACHABLE;

/** Longer than a loaded machine takes to exit; shorter than any timeout that keeps it alive. */
const EXIT_LAG_MS = 2_000;

const CASES: Case[] = [
  {
    scenario: 'open',
    exit: 0,
    diagnosis: 'ok',
    ports: { 25: 'open', 587: 'open', 465: 'open' },
    attempt: () => REACHABLE,
  },
  {
    scenario: 'azure',
    exit: 1,
    diagnosis: 'port25-blocked',
    ports: { 25: 'filtered', 587: 'open', 465: 'open' },
    attempt: on25(['filtered', 'timeout']),
    summary: /silent|dropped/i,
    // The lab plays Azure's metadata service in this scenario: the advice must name Azure.
    cloud: 'azure',
    advice: /Azure/,
    // A silently dropped port is recognised within the connect timeout (1.5 s), not minutes.
    maxMs: 8_000,
  },
  {
    scenario: 'reject25',
    exit: 1,
    diagnosis: 'port25-blocked',
    ports: { 25: 'blocked', 587: 'open', 465: 'open' },
    attempt: on25(['blocked', 'refused']),
    summary: /refused/i,
  },
  {
    scenario: 'icmp25',
    exit: 1,
    diagnosis: 'port25-blocked',
    ports: { 25: 'blocked', 587: 'open', 465: 'open' },
    attempt: on25(['blocked', 'unreachable']),
  },
  {
    scenario: 'local-fw',
    exit: 1,
    diagnosis: 'port25-blocked',
    ports: { 25: 'blocked', 587: 'open', 465: 'open' },
    attempt: on25(['blocked', 'unreachable']),
  },
  {
    scenario: 'all-blocked',
    exit: 1,
    diagnosis: 'egress-blocked',
    ports: { 25: 'filtered', 587: 'filtered', 465: 'filtered' },
    attempt: () => ['filtered', 'timeout'],
    noEgressAddress: true,
  },
  {
    scenario: 'partial',
    exit: 1,
    diagnosis: 'partial',
    ports: { 25: 'partial', 587: 'open', 465: 'open' },
    attempt: (a) =>
      a.port === 25 && a.target === PARTIAL_PROVIDER ? ['filtered', 'timeout'] : REACHABLE,
  },
  {
    scenario: 'v6-blocked',
    exit: 1,
    diagnosis: 'partial',
    ports: { 25: 'partial', 587: 'open', 465: 'open' },
    attempt: (a) => (a.port === 25 && a.family === 6 ? ['filtered', 'timeout'] : REACHABLE),
  },
  {
    scenario: 'no-v6',
    exit: 0,
    diagnosis: 'ok',
    ports: { 25: 'open', 587: 'open', 465: 'open' },
    // The IPv6 rows stay, but a missing route is not a block (docs/reference.md, "Results and reasons").
    attempt: (a) => (a.family === 6 ? ['blocked', 'unreachable'] : REACHABLE),
    families: { '4': 'ok', '6': 'no-route' },
  },
];

describe.each(CASES)('scenario $scenario', (c) => {
  let json: JsonRun;

  beforeAll(async () => {
    applyScenario(c.scenario);
    json = await probeJson(LAB_PROBE_SET);
  });

  it(`exits ${c.exit} with diagnosis ${c.diagnosis}`, () => {
    expect({ exit: json.code, diagnosis: json.report.diagnosis.code }).toEqual({
      exit: c.exit,
      diagnosis: c.diagnosis,
    });
    expect(json.report.diagnosis.summary.length).toBeGreaterThan(0);
    if (c.summary) expect(json.report.diagnosis.summary).toMatch(c.summary);
    if (c.maxMs) expect(json.durationMs).toBeLessThan(c.maxMs);
  });

  it('classifies every attempt as the network treats it', () => {
    // Three domains × two MX × two families on 25, three submission hosts × two families × two ports.
    expect(json.report.attempts).toHaveLength(24);
    expectAttempts(json.report, c.attempt);
    for (const t of json.report.targets) expect(t.resolution).toBe('ok');
  });

  it('summarises the ports', () => {
    expect(portStatuses(json.report)).toEqual(c.ports);
  });

  it('exits at once after its pass; no server sees a connection after its attempt had a greeting', () => {
    // A socket or timer left behind holds the process for a timeout of seconds (the greeting's,
    // the connect's); a loaded machine alone takes a few hundred ms.
    expect(json.exitLagMs).toBeLessThan(EXIT_LAG_MS);
    expect(json.lateConnections).toEqual([]);
  });

  it('finds nothing against the VM’s own address: its PTR is confirmed, no zone lists it', () => {
    if (c.noEgressAddress) expect(json.report.egress.addresses).toEqual([]);
    else expect(json.report.egress.addresses.length).toBeGreaterThan(0);
    for (const a of json.report.egress.addresses) {
      expect([a.address, a.ptr.status]).toEqual([a.address, 'ok']);
      expect(a.dnsbl.map((d) => d.status).filter((s) => s !== 'clean')).toEqual([]);
    }
    expect(json.report.diagnosis.hints).not.toContain('ptr-missing');
    expect(json.report.diagnosis.hints).not.toContain('dnsbl-listed');
  });

  it('reports the environment: cloud and address families', () => {
    expect(json.report.environment.cloud).toBe(c.cloud ?? 'none');
    expect(json.report.environment.families).toEqual(c.families ?? { '4': 'ok', '6': 'ok' });
    if (c.advice) expect(json.report.diagnosis.advice.join('\n')).toMatch(c.advice);
  });

  it('prints a table a person can read', async () => {
    const human = await probeHuman(LAB_PROBE_SET);
    expect(human.code).toBe(c.exit);
    expect(human.stdout).not.toContain('\u001b['); // no colour when not on a TTY
    const lines = human.stdout.split('\n');
    // One row per attempt, with its address, port, result and reason.
    expect(json.report.attempts.length).toBeGreaterThan(0);
    for (const a of json.report.attempts) {
      const [result, reason] = c.attempt(a);
      const row = lines.find(
        (l) =>
          l.includes(` ${a.address} `) &&
          new RegExp(`\\b${a.port}\\b.*\\b${result}\\b.*\\b${reason}\\b`).test(l),
      );
      expect(row, `a row for ${a.address}:${a.port} saying ${result} ${reason}`).toBeDefined();
    }
    for (const [port, status] of Object.entries(c.ports)) {
      expect(human.stdout).toMatch(new RegExp(`\\b${port}\\b\\s+${status}\\b`));
    }
    expect(human.stdout).toContain(c.diagnosis);
  });
});

describe('scenario dns-down', () => {
  let json: JsonRun;

  beforeAll(async () => {
    applyScenario('dns-down');
    json = await probeJson(LAB_PROBE_SET);
  });

  it('says name resolution is broken, exits 3, and does so within seconds', () => {
    expect(json.code).toBe(3);
    expect(json.report.diagnosis.code).toBe('dns-failed');
    // Within two DNS budgets (4 s each), on a loaded machine too: not the time the system
    // resolver's retries, or one budget per target after another, would take.
    expect(json.durationMs).toBeLessThan(DNS_BUDGET_MS * 2);
  });

  it('probes nothing and reports why per target', () => {
    expect(json.report.attempts).toEqual([]);
    expect(json.report.targets).toHaveLength(6);
    for (const t of json.report.targets) expect(['timeout', 'servfail']).toContain(t.resolution);
    expect(new Set(json.report.ports.map((p) => p.status))).toEqual(new Set(['unknown']));
  });

  it('tells a person in the table output', async () => {
    const human = await probeHuman(LAB_PROBE_SET);
    expect(human.code).toBe(3);
    expect(human.stdout + human.stderr).toContain('dns-failed');
  });
});

describe('scenario intercept25', () => {
  let json: JsonRun;

  beforeAll(async () => {
    applyScenario('intercept25');
    json = await probeJson(LAB_PROBE_SET);
  });

  it('every attempt gets through, yet every port-25 greeting comes from one host', () => {
    expect(json.code).toBe(0);
    expectAttempts(json.report, () => REACHABLE);
    const greeters = new Set(
      json.report.attempts.filter((a) => a.port === 25).map((a) => a.greeting?.split(' ')[1]),
    );
    expect([...greeters]).toEqual([INTERCEPTOR.name]);
  });

  it('says something on the path answers in the providers’ place', async () => {
    expect(json.report.diagnosis.code).toBe('ok');
    expect(json.report.diagnosis.hints).toEqual(['smtp-interception']);
    expect(json.report.diagnosis.advice.join('\n')).toContain(INTERCEPTOR.name);
    const human = await probeHuman(LAB_PROBE_SET);
    expect(human.stdout).toMatch(/hints: smtp-interception/);
    expect(human.stdout).toMatch(
      /proxy\s+or\s+firewall\s+on\s+the\s+path\s+answers\s+in\s+their\s+place/,
    );
  });
});
