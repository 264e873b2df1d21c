// Hand-built reports for the metrics and daemon tests: the shape a real pass returns, with only
// what a test cares about spelled out.
import { cloudAdvice } from '../../src/clouds/advice.js';
import type { Attempt, DiagnosisCode, EgressReport, PortReport, Report } from '../../src/types.js';

export function attempt(overrides: Partial<Attempt> & Pick<Attempt, 'port' | 'result'>): Attempt {
  const reason =
    overrides.result === 'reachable'
      ? 'greeting'
      : overrides.result === 'blocked'
        ? 'refused'
        : 'timeout';
  return {
    target: 'example.test',
    host: 'mx1.example.test',
    address: '192.0.2.10',
    family: 4,
    reason,
    durationMs: 120,
    greeting: overrides.result === 'reachable' ? '220 mx1.example.test ESMTP' : null,
    tls: null,
    ...overrides,
  };
}

/** Port statuses as docs/reference.md ("Port statuses") defines them, from the attempts. */
export function portsOf(attempts: Attempt[]): PortReport[] {
  const ports = [...new Set(attempts.map((a) => a.port))];
  return ports.map((port) => {
    const on = attempts.filter((a) => a.port === port);
    const reachable = on.filter((a) => a.result === 'reachable').length;
    const blocked = on.filter((a) => a.result === 'blocked').length;
    const filtered = on.filter((a) => a.result === 'filtered').length;
    const status =
      reachable === on.length
        ? 'open'
        : reachable > 0
          ? 'partial'
          : blocked > 0
            ? 'blocked'
            : 'filtered';
    return { port, status, reachable, blocked, filtered };
  });
}

export function report(
  attempts: Attempt[],
  code: DiagnosisCode,
  overrides: Partial<Report> = {},
): Report {
  return {
    schemaVersion: 1,
    startedAt: '2026-11-23T10:00:00.000Z',
    durationMs: 1840,
    environment: { cloud: 'none', hostname: 'vm1', families: { '4': 'ok' } },
    targets: [
      {
        target: 'example.test',
        kind: 'domain',
        resolution: 'ok',
        hosts: ['mx1.example.test'],
        ports: [25, 587],
      },
    ],
    attempts,
    ports: portsOf(attempts),
    relays: [],
    egress: { addresses: [] },
    diagnosis: { code, summary: `summary of ${code}`, advice: [], hints: [] },
    ...overrides,
  };
}

/** An egress address without PTR, listed in one zone, clean in another, refused by a third. */
export const LISTED_EGRESS: EgressReport = {
  addresses: [
    {
      address: '203.0.113.7',
      family: 4,
      source: 'greeting',
      ptr: { status: 'none', names: [] },
      dnsbl: [
        {
          zone: 'dnsbl.example',
          status: 'listed',
          codes: ['127.0.0.2'],
          text: 'Listed: see https://dnsbl.example/q/203.0.113.7',
        },
        { zone: 'other.example', status: 'clean' },
        { zone: 'zen.spamhaus.org', status: 'refused', codes: ['127.255.255.254'] },
      ],
    },
  ],
};

/** Port 25 silently dropped, 587 reachable: the cloud-provider pattern. */
export function port25BlockedReport(): Report {
  return report(
    [
      attempt({ port: 25, result: 'filtered', durationMs: 2500 }),
      attempt({
        port: 25,
        result: 'filtered',
        address: '2001:db8::10',
        family: 6,
        durationMs: 2500,
      }),
      attempt({ port: 587, result: 'reachable', durationMs: 40 }),
    ],
    'port25-blocked',
    { egress: LISTED_EGRESS },
  );
}

export function allOpenReport(): Report {
  return report(
    [attempt({ port: 25, result: 'reachable' }), attempt({ port: 587, result: 'reachable' })],
    'ok',
  );
}

/** Port 25 blocked on an Azure VM: the advice names the subscription, as on a real one. */
export function azureBlockedReport(): Report {
  const environment: Report['environment'] = {
    cloud: 'azure',
    hostname: 'vm1',
    families: { '4': 'ok' },
    azure: {
      subscriptionId: '8d10da13-8125-4ba9-a717-bf7490507b3d',
      location: 'westeurope',
      vmId: '02aab8a4-74ef-476e-8182-f6d2ba4166a6',
    },
  };
  const blocked = port25BlockedReport();
  return {
    ...blocked,
    environment,
    diagnosis: { ...blocked.diagnosis, advice: cloudAdvice(environment) },
  };
}
