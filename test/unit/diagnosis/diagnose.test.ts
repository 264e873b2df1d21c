import { describe, expect, it } from 'vitest';
import { exitStatus } from '../../../src/cli/exit-status.js';
import { diagnose, type DiagnosisInput } from '../../../src/diagnosis/diagnose.js';
import {
  countedAttempts,
  familyStatuses,
  portsLostToLocalErrors,
  portStatus,
  tallyAttempts,
} from '../../../src/diagnosis/port-status.js';
import type { Attempt, Reason, RelayReport, Result, TargetReport } from '../../../src/types.js';

let serial = 0;
function attempt(
  target: string,
  port: number,
  result: Result,
  reason: Reason,
  extra: Partial<Attempt> = {},
): Attempt {
  serial += 1;
  return {
    target,
    host: `mx.${target}`,
    address: `203.0.113.${serial % 250}`,
    family: 4,
    port,
    result,
    reason,
    durationMs: 10,
    greeting: result === 'reachable' ? `220 mx.${target} ESMTP` : null,
    tls: null,
    ...extra,
  };
}
const ok = (target: string, port: number, extra: Partial<Attempt> = {}): Attempt =>
  attempt(target, port, 'reachable', 'greeting', extra);
const dropped = (target: string, port: number, extra: Partial<Attempt> = {}): Attempt =>
  attempt(target, port, 'filtered', 'timeout', extra);
const refused = (target: string, port: number): Attempt =>
  attempt(target, port, 'blocked', 'refused');

function target(
  name: string,
  resolution: TargetReport['resolution'] = 'ok',
  durationMs = 20,
): TargetReport {
  return { target: name, kind: 'domain', resolution, hosts: [], ports: [25, 587, 465], durationMs };
}

function input(
  attempts: Attempt[],
  targets: TargetReport[],
  relays: RelayReport[] = [],
): DiagnosisInput {
  const { families, counted, ports } = tallyAttempts(attempts, [25, 587, 465]);
  return {
    targets,
    attempts,
    families,
    counted,
    ports,
    relays,
    port25Advice: ['Use an authenticated relay on 587.'],
  };
}

const twoDomains = [target('a.example'), target('b.example')];

describe('portStatus (docs/reference.md, Port statuses)', () => {
  it.each(
    (
      [
        ['every attempt reachable', [ok('a', 25), ok('b', 25)], 'open'],
        ['some reachable', [ok('a', 25), dropped('b', 25)], 'partial'],
        ['none reachable, one blocked', [refused('a', 25), dropped('b', 25)], 'blocked'],
        ['none reachable, all filtered', [dropped('a', 25), dropped('b', 25)], 'filtered'],
        ['no attempts', [], 'unknown'],
      ] satisfies [string, Attempt[], string][]
    ).map(([what, attempts, status]) => [`${what} → ${status}`, attempts, status] as const),
  )('%s', (_title, attempts, status) => {
    expect(portStatus(attempts)).toBe(status);
  });
});

describe('diagnose (docs/reference.md, Diagnosis: first match wins)', () => {
  it('dns-failed when no target resolved', () => {
    const d = diagnose(
      input([], [target('a.example', 'timeout'), target('b.example', 'nxdomain')]),
    );
    expect(d.code).toBe('dns-failed');
    expect(d.summary).toContain('nothing was probed');
  });

  it('dns-failed with configured DNS servers: the advice names them, not /etc/resolv.conf', () => {
    const unresolved = [target('a.example', 'refused'), target('b.example', 'refused')];
    const d = diagnose({ ...input([], unresolved), dnsServers: ['192.0.2.53', '2001:db8::53'] });
    expect(d.code).toBe('dns-failed');
    expect(d.advice[0]).toContain('192.0.2.53, 2001:db8::53');
    expect(d.advice.join(' ')).not.toContain('/etc/resolv.conf, systemd-resolved');
    const system = diagnose(input([], unresolved));
    expect(system.advice[0]).toContain('/etc/resolv.conf, systemd-resolved');
  });

  it('partial: a failing host named by its address is printed once, a named host with it', () => {
    const byAddress = attempt('192.0.2.25', 25, 'blocked', 'refused', {
      host: '192.0.2.25',
      address: '192.0.2.25',
    });
    const v6 = attempt('2001:db8::25', 25, 'blocked', 'refused', {
      host: '2001:db8::25',
      address: '2001:db8::25',
      family: 6,
    });
    const named = dropped('b.example', 25, { address: '198.51.100.7' });
    const d = diagnose(input([ok('a.example', 25), byAddress, v6, named], twoDomains));
    expect(d.code).toBe('partial');
    const failing = d.advice.find((a) => a.startsWith('Failing: '));
    expect(failing).toBe(
      'Failing: 192.0.2.25 port 25 blocked/refused; [2001:db8::25] port 25 blocked/refused; mx.b.example 198.51.100.7 port 25 filtered/timeout.',
    );
  });

  it('egress-blocked when targets resolved but nothing anywhere was reachable', () => {
    const d = diagnose(
      input(
        [dropped('a.example', 25), dropped('a.example', 587), refused('b.example', 465)],
        twoDomains,
      ),
    );
    expect(d.code).toBe('egress-blocked');
    expect(d.summary).toMatch(/all outbound SMTP is cut/);
  });

  it('port25-blocked when 25 never got through but 587 did; says it was dropped silently', () => {
    const d = diagnose(
      input([dropped('a.example', 25), dropped('b.example', 25), ok('s.example', 587)], twoDomains),
    );
    expect(d.code).toBe('port25-blocked');
    expect(d.summary).toMatch(/dropped silently/);
    expect(d.summary).not.toMatch(/Only one domain/);
    expect(d.advice).toContain('Use an authenticated relay on 587.');
  });

  it('port25-blocked names a refusal as such', () => {
    const d = diagnose(
      input([refused('a.example', 25), refused('b.example', 25), ok('s.example', 465)], twoDomains),
    );
    expect(d.code).toBe('port25-blocked');
    expect(d.summary).toMatch(/refused with a TCP reset/);
  });

  it('port25-blocked with one domain on 25 warns that the destination may be at fault', () => {
    const d = diagnose(
      input([dropped('a.example', 25), ok('s.example', 587)], [target('a.example')]),
    );
    expect(d.code).toBe('port25-blocked');
    expect(d.summary).toMatch(/Only one domain was probed on port 25/);
  });

  it('partial when some port is partial', () => {
    const d = diagnose(
      input([ok('a.example', 25), dropped('b.example', 25), ok('a.example', 587)], twoDomains),
    );
    expect(d.code).toBe('partial');
    expect(d.summary).toMatch(/not a blanket egress block/);
  });

  it('ok when every probed port is open', () => {
    expect(
      diagnose(input([ok('a.example', 25), ok('a.example', 587), ok('a.example', 465)], twoDomains))
        .code,
    ).toBe('ok');
  });

  it('a family without a route does not count: IPv6 ENETUNREACH everywhere stays ok', () => {
    const v6 = (port: number): Attempt =>
      attempt('a.example', port, 'blocked', 'unreachable', {
        family: 6,
        address: '2001:db8::25',
        errorCode: 'ENETUNREACH',
      });
    const attempts = [ok('a.example', 25), v6(25), ok('a.example', 587), v6(587)];
    const i = input(attempts, twoDomains);
    expect(i.families).toEqual({ '4': 'ok', '6': 'no-route' });
    expect(i.ports.find((p) => p.port === 25)).toMatchObject({ status: 'open', blocked: 0 });
    const d = diagnose(i);
    expect(d.code).toBe('ok');
    expect(d.summary).toMatch(/no IPv6 route/);
  });

  it('attempts that failed on this machine (EMFILE) do not count: no egress-blocked from them', () => {
    const local = (port: number): Attempt =>
      attempt('a.example', port, 'error', 'local', { errorCode: 'EMFILE' });
    const attempts = [
      dropped('a.example', 25),
      local(25),
      local(25),
      ok('b.example', 587),
      local(587),
    ];
    const i = input(attempts, twoDomains);
    expect(i.ports.find((p) => p.port === 25)).toEqual({
      port: 25,
      status: 'filtered',
      reachable: 0,
      blocked: 0,
      filtered: 1,
    });
    expect(i.ports.find((p) => p.port === 587)).toMatchObject({ status: 'open', reachable: 1 });
    expect(diagnose(i).code).toBe('port25-blocked');
    expect(portsLostToLocalErrors(attempts, countedAttempts(attempts, i.families))).toEqual([]);
  });

  it('a port whose every attempt failed on this machine has no verdict (not ok without it)', () => {
    const local = (port: number): Attempt =>
      attempt('a.example', port, 'error', 'local', { errorCode: 'EMFILE' });
    const attempts = [local(25), local(25), ok('a.example', 587)];
    const families = familyStatuses(attempts);
    expect(portsLostToLocalErrors(attempts, countedAttempts(attempts, families))).toEqual([25]);
  });

  it('local errors beside ENETUNREACH do not hide a family without a route', () => {
    const v6 = (port: number, extra: Partial<Attempt> = {}): Attempt =>
      attempt('a.example', port, 'blocked', 'unreachable', {
        family: 6,
        errorCode: 'ENETUNREACH',
        ...extra,
      });
    const attempts = [
      ok('a.example', 25),
      v6(25),
      v6(587, { result: 'error', reason: 'local', errorCode: 'EMFILE' }),
      ok('a.example', 587),
    ];
    expect(familyStatuses(attempts)).toEqual({ '4': 'ok', '6': 'no-route' });
  });

  it('IPv6 refused by ICMP is a block, not a missing route', () => {
    const v6 = attempt('a.example', 25, 'blocked', 'unreachable', {
      family: 6,
      errorCode: 'EHOSTUNREACH',
    });
    const i = input([ok('a.example', 25), v6, ok('a.example', 587)], twoDomains);
    expect(i.families).toEqual({ '4': 'ok', '6': 'ok' });
    expect(diagnose(i).code).toBe('partial');
  });
});

describe('diagnosis hints', () => {
  const relay = (status: RelayReport['status']): RelayReport => ({
    name: 'acs',
    host: 'relay.example',
    port: 587,
    status,
    reason: null,
    durationMs: 5,
  });

  it('relay-ok beside port25-blocked, and the summary says the way out works', () => {
    const d = diagnose(
      input(
        [dropped('a.example', 25), dropped('b.example', 25), ok('s.example', 587)],
        twoDomains,
        [relay('ok')],
      ),
    );
    expect(d.hints).toEqual(['relay-ok']);
    expect(d.summary).toMatch(/relay acs works/);
  });

  it('relay-failed when a relay did not verify', () => {
    expect(
      diagnose(input([ok('a.example', 25)], twoDomains, [relay('auth-failed')])).hints,
    ).toEqual(['relay-failed']);
  });

  it('smtp-interception when different providers greet with one host name', () => {
    const g = { greeting: '220 proxy.isp.example ESMTP' };
    const attempts = [
      ok('a.example', 25, { ...g, host: 'mx.a.example' }),
      ok('b.example', 25, { ...g, host: 'mx.b.example' }),
    ];
    expect(diagnose(input(attempts, twoDomains)).hints).toContain('smtp-interception');
    const honest = [ok('a.example', 25), ok('b.example', 25)];
    expect(diagnose(input(honest, twoDomains)).hints).not.toContain('smtp-interception');
  });

  it('no smtp-interception for two domains hosted by one provider (one zone, one greeting)', () => {
    // Two Google Workspace domains: their MX hosts are all under google.com, and every one of
    // them greets as mx.google.com. That is the provider, not a proxy on the path.
    const g = { greeting: '220 mx.google.com ESMTP a1-20020a05 - gsmtp' };
    const attempts = [
      ok('one.example', 25, { ...g, host: 'aspmx.l.google.com' }),
      ok('two.example', 25, { ...g, host: 'alt1.aspmx.l.google.com' }),
    ];
    const d = diagnose(input(attempts, [target('one.example'), target('two.example')]));
    expect(d.code).toBe('ok');
    expect(d.hints).not.toContain('smtp-interception');
    expect(d.advice.join(' ')).not.toMatch(/proxy or firewall on the path/);
  });

  it('dns-slow when a resolution took more than a second', () => {
    expect(
      diagnose(input([ok('a.example', 25)], [target('a.example', 'ok', 1500)])).hints,
    ).toContain('dns-slow');
  });
});

describe('the exit status of a report (docs/reference.md, Command line)', () => {
  it.each(
    (
      [
        ['all open', [ok('a.example', 25)], twoDomains, 0],
        ['a port not open', [ok('a.example', 587), dropped('a.example', 25)], twoDomains, 1],
        ['nothing resolved', [], [target('a.example', 'nxdomain')], 3],
      ] satisfies [string, Attempt[], TargetReport[], number][]
    ).map(
      ([what, attempts, targets, code]) =>
        [`${what} → exit ${code}`, attempts, targets, code] as const,
    ),
  )('%s', (_title, attempts, targets, code) => {
    const i = input(attempts, targets);
    expect(exitStatus({ kind: 'report', report: { diagnosis: diagnose(i), ports: i.ports } })).toBe(
      code,
    );
  });
});
