// The documented port policy in the verdict (CONTRACT §4, §9): whether the shut ports match the
// detected cloud's policy, blocked-beyond-policy when one does not, and advice that names the
// exemption path and never a port that is shut or blocked by the policy.
import { describe, expect, it } from 'vitest';
import { cloudAdvice } from '../../../src/clouds/advice.js';
import { cloudName, cloudPolicy } from '../../../src/clouds/policy.js';
import type { CloudFacts } from '../../../src/clouds/registry.js';
import { diagnose } from '../../../src/diagnosis/diagnose.js';
import { recommendedRelayPorts } from '../../../src/diagnosis/policy.js';
import {
  countedAttempts,
  familyStatuses,
  portReports,
} from '../../../src/diagnosis/port-status.js';
import type { Attempt, Diagnosis, Reason, RelayReport, TargetReport } from '../../../src/types.js';

type Outcome = 'open' | 'dropped' | 'refused';

function attempt(target: string, port: number, outcome: Outcome): Attempt {
  const reason: Reason =
    outcome === 'open' ? 'greeting' : outcome === 'dropped' ? 'timeout' : 'rejected';
  return {
    target,
    host: `mx.${target}`,
    address: port === 25 ? '198.51.100.25' : '198.51.100.87',
    family: 4,
    port,
    result: outcome === 'open' ? 'reachable' : outcome === 'dropped' ? 'filtered' : 'blocked',
    reason,
    durationMs: 10,
    greeting:
      outcome === 'open' ? '220 ready' : outcome === 'refused' ? '554 no service for you' : null,
    tls: null,
  };
}

/** A pass over two domains on each port given, the relays beside it, on `cloud`. */
function verdict(
  cloud: CloudFacts,
  outcomes: Record<number, Outcome>,
  relays: RelayReport[] = [],
): Diagnosis {
  const attempts = Object.entries(outcomes).flatMap(([port, outcome]) =>
    ['a.example', 'b.example'].map((t) => attempt(t, Number(port), outcome)),
  );
  const targets: TargetReport[] = ['a.example', 'b.example'].map((target) => ({
    target,
    kind: 'domain',
    resolution: 'ok',
    hosts: [],
    ports: [],
  }));
  const families = familyStatuses(attempts);
  const counted = countedAttempts(attempts, families);
  const ports = portReports(Object.keys(outcomes).map(Number), counted);
  const policy = cloudPolicy(cloud);
  const relayPorts = recommendedRelayPorts({ policy, ports, relays });
  return diagnose({
    targets,
    attempts,
    families,
    counted,
    ports,
    relays,
    port25Advice: cloudAdvice(cloud, relayPorts),
    cloudName: cloudName(cloud),
    policy,
  });
}

const on = (cloud: string): CloudFacts => ({ cloud }) as CloudFacts;

/** Lines of advice that recommend a relay on this port. */
function recommending(diagnosis: Diagnosis, port: number): string[] {
  return diagnosis.advice.filter((line) =>
    new RegExp(`(relay|relays) (on|listen)[^.]*\\b${port}\\b`).test(line),
  );
}

describe('the policy in the verdict', () => {
  it('hetzner, 25 and 465 dropped, 587 open: as Hetzner documents, no 465 advised', () => {
    const d = verdict(on('hetzner'), { 25: 'dropped', 465: 'dropped', 587: 'open' });
    expect(d.code).toBe('port25-blocked');
    expect(d.hints).not.toContain('blocked-beyond-policy');
    expect(d.summary).toContain(
      'Ports 25 and 465 shut: as Hetzner Cloud documents for every new account.',
    );
    expect(d.advice.join('\n')).toMatch(/first invoice is paid/);
    expect(recommending(d, 587).length).toBeGreaterThan(0);
    expect(recommending(d, 465)).toEqual([]);
  });

  it('linode, 25, 465 and 587 dropped, a relay on 2525: the platform, and 2525 is the way', () => {
    const d = verdict(on('linode'), {
      25: 'dropped',
      465: 'dropped',
      587: 'dropped',
      2525: 'open',
    });
    expect(d.code).toBe('port25-blocked');
    expect(d.hints).not.toContain('blocked-beyond-policy');
    expect(d.summary).toContain('Ports 25, 465 and 587 shut: as Akamai Cloud (Linode) documents');
    expect(recommending(d, 2525).length).toBeGreaterThan(0);
    for (const port of [465, 587]) expect(recommending(d, port)).toEqual([]);
    expect(d.advice.join('\n')).toMatch(/open a Support ticket/);
  });

  it('linode, every standard port dropped and nothing else: the documented block, not a firewall', () => {
    const d = verdict(on('linode'), { 25: 'dropped', 465: 'dropped', 587: 'dropped' });
    expect(d.code).toBe('egress-blocked');
    expect(d.hints).not.toContain('blocked-beyond-policy');
    expect(d.advice.join('\n')).not.toMatch(/network security group|route table/);
    expect(d.advice.join('\n')).toMatch(/open a Support ticket/);
    for (const port of [465, 587]) expect(recommending(d, port)).toEqual([]);
  });

  it('digitalocean, 25 dropped and 587 dropped too: beyond policy, the VM firewall first', () => {
    const d = verdict(on('digitalocean'), { 25: 'dropped', 587: 'dropped', 465: 'open' });
    expect(d.code).toBe('port25-blocked');
    expect(d.hints).toContain('blocked-beyond-policy');
    expect(d.summary).toContain(
      "Port 587 shut beyond policy: DigitalOcean's policy blocks only 25",
    );
    expect(d.advice[0]).toMatch(
      /^Port 587 is shut although DigitalOcean does not block it: check this VM's own firewall/,
    );
    expect(recommending(d, 587)).toEqual([]);
    expect(recommending(d, 465).length).toBeGreaterThan(0);
  });

  it('a relay on 587 that is filtered counts as shut: advice does not send the user there', () => {
    const relay: RelayReport = {
      name: 'sendgrid',
      host: 'smtp.sendgrid.net',
      port: 587,
      status: 'filtered',
      reason: 'timeout',
      durationMs: 5000,
    };
    const d = verdict(on('aws'), { 25: 'dropped', 465: 'open' }, [relay]);
    expect(d.hints).toContain('blocked-beyond-policy');
    expect(recommending(d, 587)).toEqual([]);
  });

  it('openstack documents no block: a dropped 25 is beyond policy', () => {
    const d = verdict(on('openstack'), { 25: 'dropped', 587: 'open' });
    expect(d.hints).toContain('blocked-beyond-policy');
    expect(d.summary).toContain('OpenStack documents no default block');
  });

  it('servers that answered and refused this machine are no block beyond policy', () => {
    const d = verdict(on('openstack'), { 25: 'refused', 587: 'open' });
    expect(d.code).toBe('port25-refused');
    expect(d.hints).not.toContain('blocked-beyond-policy');
  });

  it('no cloud: no policy statement, no hint', () => {
    const d = verdict(on('none'), { 25: 'dropped', 587: 'open' });
    expect(d.hints).not.toContain('blocked-beyond-policy');
    expect(d.summary).not.toMatch(/policy|documents/);
  });

  it('every port open on a cloud: nothing to say about the policy', () => {
    const d = verdict(on('vultr'), { 25: 'open', 587: 'open' });
    expect(d.code).toBe('ok');
    expect(d.hints).not.toContain('blocked-beyond-policy');
    expect(d.summary).not.toMatch(/policy|documents/);
  });
});

describe('recommendedRelayPorts', () => {
  const ports = (entries: [number, 'open' | 'filtered'][]) =>
    entries.map(([port, status]) => ({
      port,
      status,
      reachable: status === 'open' ? 1 : 0,
      blocked: 0,
      filtered: status === 'filtered' ? 1 : 0,
    }));

  it.each<[string, number[] | null, [number, 'open' | 'filtered'][], number[]]>([
    ['nothing probed, no policy', null, [], [587, 465]],
    ['465 blocked by policy', [25, 465], [], [587]],
    ['587 found shut', [25], [[587, 'filtered']], [465]],
    ['all standard shut, 2525 open', [25, 465, 587], [[2525, 'open']], [2525]],
    ['all standard shut, 2525 not probed', [25, 465, 587], [], []],
    ['standard open and 2525 open', null, [[2525, 'open']], [587, 465, 2525]],
  ])('%s', (_name, blocked, seen, expected) => {
    const policy =
      blocked === null ? null : { blockedPorts: blocked, who: 'x', exemption: 'x', source: 'x' };
    expect(recommendedRelayPorts({ policy, ports: ports(seen), relays: [] })).toEqual(expected);
  });
});
