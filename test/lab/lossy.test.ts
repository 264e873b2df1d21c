// Under 20% random packet loss (each direction, nftables numgen in the router), a path that
// works must not be reported as filtered: a lost SYN is retransmitted, and mxprobe must give it
// the chance. Repeated runs, every attempt counted; the tally is printed for the record. Loss
// must not keep the process alive after its answer either (goodbyes, backups, DNS retries), and
// no lab server may see a connection from an attempt that already had its greeting.

import { beforeAll, describe, expect, it } from 'vitest';
import { LOSS_PERCENT } from '../../lab/scenarios.js';
import type { Report } from '../../src/types.js';
import { applyScenario, describeAttempt, LAB_PROBE_SET, probeJson } from './helpers.js';

const RUNS = Number(process.env.MXLAB_LOSSY_RUNS ?? 5);

describe(`scenario lossy (${LOSS_PERCENT}% loss), ${RUNS} runs`, () => {
  const reports: Report[] = [];
  const exits: Array<number | null> = [];
  const exitLags: number[] = [];
  const late: string[] = [];

  beforeAll(async () => {
    applyScenario('lossy');
    for (let i = 0; i < RUNS; i++) {
      const run = await probeJson(LAB_PROBE_SET);
      reports.push(run.report);
      exits.push(run.code);
      exitLags.push(run.exitLagMs);
      late.push(...run.lateConnections);
    }
    const attempts = reports.flatMap((r) => r.attempts);
    const unresolved = reports.flatMap((r) => r.targets.filter((t) => t.resolution !== 'ok'));
    const tally = {
      runs: RUNS,
      attempts: attempts.length,
      reachable: attempts.filter((a) => a.result === 'reachable').length,
      blocked: attempts.filter((a) => a.result === 'blocked').length,
      filtered: attempts.filter((a) => a.result === 'filtered').length,
      targetsNotResolved: unresolved.length,
      diagnoses: reports.map((r) => r.diagnosis.code),
      exits,
      passMs: reports.map((r) => r.durationMs),
      exitAfterPassMs: exitLags,
      lateConnections: late.length,
    };
    process.stderr.write(`lossy tally: ${JSON.stringify(tally)}\n`);
  }, RUNS * 30_000);

  it('never reports a working path as filtered', () => {
    const attempts = reports.flatMap((r) => r.attempts);
    expect(attempts.length).toBeGreaterThan(0);
    expect(attempts.filter((a) => a.result === 'filtered').map(describeAttempt)).toEqual([]);
  });

  it('diagnoses every run as ok: loss is not a block', () => {
    const attempts = reports.flatMap((r) => r.attempts);
    expect(attempts.filter((a) => a.result !== 'reachable').map(describeAttempt)).toEqual([]);
    expect(reports.map((r) => r.diagnosis.code)).toEqual(reports.map(() => 'ok'));
    expect(exits).toEqual(reports.map(() => 0));
  });

  it('exits at once (within 2 s) after its pass in every run', () => {
    expect(exitLags).toHaveLength(RUNS);
    // A socket or timer left behind would hold the process for a timeout of seconds.
    expect(exitLags.filter((ms) => ms >= 2_000)).toEqual([]);
  });

  it('never opens a connection to a server after the attempt had its greeting', () => {
    expect(late).toEqual([]);
  });
});
