// CONTRACT §4 (v3): a statement about an address family made from attempts to one target says
// that the destination may be at fault, never that the family's egress is blocked on the path.
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../../src/diagnosis/diagnose.js';
import { tallyAttempts } from '../../../src/diagnosis/port-status.js';
import type { Attempt, Family, Result } from '../../../src/types.js';

function attempt(target: string, family: Family, result: Result): Attempt {
  return {
    target,
    host: target,
    address: family === 4 ? '127.0.0.1' : '::1',
    family,
    port: 25,
    result,
    reason: result === 'reachable' ? 'greeting' : 'refused',
    durationMs: 5,
    greeting: result === 'reachable' ? '220 ESMTP' : null,
    tls: null,
  };
}

function adviceFor(attempts: Attempt[]): string {
  const { families, counted, ports } = tallyAttempts(attempts, [25]);
  const diagnosis = diagnose({
    targets: [...new Set(attempts.map((a) => a.target))].map((name) => ({
      target: name,
      kind: 'host' as const,
      resolution: 'ok' as const,
      hosts: [name],
      ports: [25],
    })),
    attempts,
    families,
    counted,
    ports,
    relays: [],
    port25Advice: [],
  });
  expect(diagnosis.code).toBe('partial');
  return diagnosis.advice.join('\n');
}

describe('the one-destination caveat for family statements', () => {
  it('one refused ::1 beside a reachable 127.0.0.1: the destination may be at fault', () => {
    const advice = adviceFor([
      attempt('localhost', 4, 'reachable'),
      attempt('localhost', 6, 'blocked'),
    ]);
    expect(advice).toMatch(/Every IPv6 attempt failed while IPv4 works/);
    expect(advice).toMatch(/one target \(localhost\): that destination may be at fault/);
    expect(advice).not.toMatch(/blocked on the path/);
  });

  it('IPv6 failing towards two targets while IPv4 works: IPv6 egress is blocked on the path', () => {
    const advice = adviceFor([
      attempt('a.example', 4, 'reachable'),
      attempt('a.example', 6, 'blocked'),
      attempt('b.example', 6, 'blocked'),
    ]);
    expect(advice).toMatch(
      /Every IPv6 attempt failed while IPv4 works: IPv6 egress for SMTP is blocked on the path\./,
    );
  });
});
