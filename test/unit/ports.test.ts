// The port table is the one place that says what a port is: a new submission port is one row,
// and the diagnosis, the dialer and --help follow it.
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../src/diagnosis/diagnose.js';
import { tallyAttempts } from '../../src/diagnosis/port-status.js';
import {
  defaultPorts,
  describePorts,
  dialModeOf,
  isSubmissionPort,
  PORT_TABLE,
  type PortProfile,
} from '../../src/ports.js';
import type { Attempt, TargetReport } from '../../src/types.js';

const WITHOUT_2525: readonly PortProfile[] = PORT_TABLE.filter((p) => p.port !== 2525);
const WITH_2525: readonly PortProfile[] = PORT_TABLE;

function attempt(target: string, port: number, reachable: boolean): Attempt {
  return {
    target,
    host: `mx.${target}`,
    address: port === 25 ? '203.0.113.25' : '203.0.113.87',
    family: 4,
    port,
    result: reachable ? 'reachable' : 'filtered',
    reason: reachable ? 'greeting' : 'timeout',
    durationMs: 10,
    greeting: reachable ? `220 mx.${target} ESMTP` : null,
    tls: null,
  };
}

/** Port 25 dropped for two domains; a relay answers on 2525 and nothing else is probed. */
function diagnosisWith(table: readonly PortProfile[] | undefined) {
  const attempts = [
    attempt('a.example', 25, false),
    attempt('b.example', 25, false),
    attempt('relay.example', 2525, true),
  ];
  const targets: TargetReport[] = ['a.example', 'b.example', 'relay.example'].map((name) => ({
    target: name,
    kind: 'domain',
    resolution: 'ok',
    hosts: [],
    ports: [],
  }));
  const { families, counted, ports } = tallyAttempts(attempts, [25, 2525]);
  return diagnose({
    targets,
    attempts,
    families,
    counted,
    ports,
    relays: [],
    port25Advice: ['Use an authenticated relay.'],
    ...(table ? { portTable: table } : {}),
  });
}

describe('the port table', () => {
  it('ships 25 for MX delivery, 587 with STARTTLS, 465 with implicit TLS, and 2525 beside them', () => {
    expect(defaultPorts()).toEqual([25, 587, 465]);
    expect(PORT_TABLE.map((p) => [p.port, p.role, p.tls])).toEqual([
      [25, 'delivery', 'none'],
      [587, 'submission', 'starttls'],
      [465, 'submission', 'implicit'],
      [2525, 'submission', 'starttls'],
    ]);
    expect(dialModeOf(25)).toEqual({ implicitTls: false, inspectStartTls: false });
    expect(dialModeOf(587)).toEqual({ implicitTls: false, inspectStartTls: true });
    expect(dialModeOf(465)).toEqual({ implicitTls: true, inspectStartTls: false });
  });

  it('a port outside the table is plain SMTP with no role', () => {
    expect(dialModeOf(2526)).toEqual({ implicitTls: false, inspectStartTls: false });
    expect(isSubmissionPort(2526)).toBe(false);
    expect(dialModeOf(2525, WITHOUT_2525)).toEqual({ implicitTls: false, inspectStartTls: false });
  });

  it('without a 2525 row, 25 dropped while 2525 works is only "partial"', () => {
    expect(diagnosisWith(WITHOUT_2525).code).toBe('partial');
  });

  it('one row makes 2525 a submission port: the same results read as port25-blocked', () => {
    const diagnosis = diagnosisWith(WITH_2525);
    expect(diagnosis.code).toBe('port25-blocked');
    expect(diagnosis.summary).toContain('while port 2525 gets through');
    expect(diagnosis.advice).toEqual(['Use an authenticated relay.']);
  });

  it('the same row reaches the dialer and the help text, but not the default ports', () => {
    expect(dialModeOf(2525, WITH_2525)).toEqual({ implicitTls: false, inspectStartTls: true });
    expect(defaultPorts(WITH_2525)).toEqual([25, 587, 465]);
    expect(describePorts(WITH_2525)).toContain('2525 (alternative submission, STARTTLS)');
  });

  it('the shipped table probes 2525 only where it is named', () => {
    expect(isSubmissionPort(2525)).toBe(true);
    expect(diagnosisWith(undefined).code).toBe('port25-blocked');
  });
});
