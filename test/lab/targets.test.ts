// Destinations rather than networks: DNS edge cases (implicit MX, null MX, names that do not
// exist) and servers that misbehave on purpose, all on the open network. Each must come out
// as docs/reference.md ("Results and reasons") classifies it, on 25, 587 and 465, over IPv4 and IPv6.

import { beforeAll, describe, expect, it } from 'vitest';
import {
  IMPLICIT_MX_DOMAIN,
  MISBEHAVING,
  NULL_MX_DOMAIN,
  SLOW_GREETING_MS,
  type Behaviour,
} from '../../lab/zone.js';
import type { Attempt } from '../../src/types.js';
import { applyScenario, describeAttempt, probeJson } from './helpers.js';

/** Short enough to keep the suite fast, shorter than the slow host's delay on purpose. */
const GREETING_TIMEOUT_MS = 1_500;

beforeAll(() => {
  applyScenario('open');
});

describe('DNS', () => {
  it('tells apart a working domain, a null MX and a name that does not exist', async () => {
    const run = await probeJson([
      '--domain',
      'alpha.example',
      '--domain',
      NULL_MX_DOMAIN,
      '--domain',
      'nowhere.example',
      '--ports',
      '25',
    ]);
    const resolution = Object.fromEntries(run.report.targets.map((t) => [t.target, t.resolution]));
    expect(resolution).toEqual({
      'alpha.example': 'ok',
      [NULL_MX_DOMAIN]: 'null-mx',
      'nowhere.example': 'nxdomain',
    });
    // Only the working domain is probed; the others produce no attempts.
    expect(new Set(run.report.attempts.map((a) => a.target))).toEqual(new Set(['alpha.example']));
    expect(run.report.targets.find((t) => t.target === 'alpha.example')?.hosts).toEqual([
      'mx1.alpha.example',
      'mx2.alpha.example',
    ]);
    expect(run.code).toBe(0);
  });

  it('falls back to the A/AAAA records of a domain without MX (implicit MX)', async () => {
    const run = await probeJson(['--domain', IMPLICIT_MX_DOMAIN.name, '--ports', '25']);
    const [target] = run.report.targets;
    expect(target?.resolution).toBe('ok');
    expect(target?.hosts).toEqual([IMPLICIT_MX_DOMAIN.name]);
    expect(run.report.attempts.map((a) => [a.address, a.result]).sort()).toEqual(
      [
        [IMPLICIT_MX_DOMAIN.ipv4, 'reachable'],
        [IMPLICIT_MX_DOMAIN.ipv6, 'reachable'],
      ].sort(),
    );
  });

  it('says dns-failed and exits 3 when nothing resolves', async () => {
    const run = await probeJson(['--domain', 'nowhere.example', '--host', 'mx.nowhere.test']);
    expect(run.code).toBe(3);
    expect(run.report.diagnosis.code).toBe('dns-failed');
    expect(run.report.targets.map((t) => t.resolution)).toEqual(['nxdomain', 'nxdomain']);
  });
});

/** What docs/reference.md ("Results and reasons") says each misbehaviour is, on every port (465 included). */
const EXPECTED: Record<Exclude<Behaviour, 'smtp'>, [Attempt['result'], Attempt['reason']]> = {
  'greet-554': ['blocked', 'rejected'],
  'never-greet': ['filtered', 'no-greeting'],
  garbage: ['blocked', 'protocol'],
  reset: ['blocked', 'reset'],
  'slow-greet': ['filtered', 'no-greeting'],
  'endless-line': ['blocked', 'protocol'],
  'expired-cert': ['reachable', 'greeting'],
};

describe('misbehaving servers', () => {
  let attempts: Attempt[];

  beforeAll(async () => {
    const hosts = MISBEHAVING.flatMap((h) => ['--host', h.name]);
    const run = await probeJson([
      ...hosts,
      '--ports',
      '25,587,465',
      '--greeting-timeout',
      String(GREETING_TIMEOUT_MS),
    ]);
    attempts = run.report.attempts;
  });

  it.each(
    MISBEHAVING.map((h) => ({
      ...h,
      expected: EXPECTED[h.behaviour as Exclude<Behaviour, 'smtp'>],
    })),
  )(
    '$name ($behaviour) is $expected.0/$expected.1 on every port and family',
    ({ name, expected }) => {
      const mine = attempts.filter((a) => a.host === name);
      expect(mine).toHaveLength(6);
      const [result, reason] = expected;
      expect(mine.map(describeAttempt)).toEqual(
        mine.map((a) => describeAttempt({ ...a, result, reason })),
      );
    },
  );

  it('keeps the 554 greeting line as the server said it', () => {
    const rejected = attempts.filter((a) => a.host === 'reject554.bad.test');
    expect(rejected).toHaveLength(6);
    for (const a of rejected) expect(a.greeting).toMatch(/^554 /);
  });

  it('caps the endless line instead of reading forever', () => {
    const endless = attempts.filter((a) => a.host === 'endless.bad.test');
    expect(endless).toHaveLength(6);
    for (const a of endless) {
      expect(a.greeting === null || a.greeting.length <= 512).toBe(true);
      expect(a.durationMs).toBeLessThan(GREETING_TIMEOUT_MS + 1_000);
    }
  });

  it('reports an expired certificate on 465 beside a reachable result', () => {
    const tls465 = attempts.filter((a) => a.host === 'expired.bad.test' && a.port === 465);
    expect(tls465).toHaveLength(2);
    for (const a of tls465) {
      expect(a.tls?.authorized).toBe(false);
      expect(a.tls?.authorizationError).toBe('CERT_HAS_EXPIRED');
      expect(a.tls?.validTo?.startsWith('2021-01-01')).toBe(true);
    }
  });

  it('trusts a good lab certificate on 465 (the lab CA is trusted in the VM)', async () => {
    const run = await probeJson(['--host', 'smtp.alpha.example', '--ports', '465']);
    expect(run.report.attempts.length).toBeGreaterThan(0);
    for (const a of run.report.attempts) {
      expect(a.result).toBe('reachable');
      expect(a.tls?.authorized).toBe(true);
    }
  });

  it('counts a slow greeting as reachable when the greeting timeout allows for it', async () => {
    const run = await probeJson([
      '--host',
      'slow.bad.test',
      '--ports',
      '25',
      '--greeting-timeout',
      String(SLOW_GREETING_MS + 3_000),
    ]);
    expect(run.report.attempts.map((a) => a.result)).toEqual(['reachable', 'reachable']);
    for (const a of run.report.attempts)
      expect(a.durationMs).toBeGreaterThanOrEqual(SLOW_GREETING_MS - 100);
  });
});
