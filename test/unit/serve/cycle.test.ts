// What the daemon's loop decides without I/O (serve/cycle.ts): when the next cycle starts, and
// which changes between two cycles are worth a log line.
import { describe, expect, it } from 'vitest';
import { cycleDelayMs, cycleSummary, describeChanges } from '../../../src/serve/cycle.js';
import {
  allOpenReport,
  attempt,
  port25BlockedReport,
  report,
} from '../../helpers/report-fixtures.js';

describe('cycleDelayMs', () => {
  it.each([
    [{ intervalMs: 300_000, minIntervalMs: 60_000 }, 0, 300_000],
    [{ intervalMs: 300_000, minIntervalMs: 60_000 }, 0.5, 315_000],
    [{ intervalMs: 300_000, minIntervalMs: 60_000 }, 0.999, 329_970],
    [{ intervalMs: 1_000, minIntervalMs: 60_000 }, 0, 60_000],
  ])(
    'cycleDelayMs(%j, jitter %d) = %d: jitter only ever delays, the floor always holds',
    (cfg, jitter, expected) => {
      expect(cycleDelayMs(cfg, jitter)).toBe(expected);
    },
  );
});

describe('describeChanges', () => {
  it('reports nothing when nothing changed', () => {
    expect(describeChanges(port25BlockedReport(), port25BlockedReport())).toEqual([]);
  });

  it.each([
    [
      'the first cycle: every port and the diagnosis are new',
      undefined,
      port25BlockedReport(),
      [
        { kind: 'port', port: 25, from: null, to: 'filtered' },
        { kind: 'port', port: 587, from: null, to: 'open' },
        {
          kind: 'diagnosis',
          from: null,
          to: 'port25-blocked',
          summary: 'summary of port25-blocked',
        },
      ],
    ],
    [
      'port 25 opens: its change and the new diagnosis, not the unchanged 587',
      port25BlockedReport(),
      allOpenReport(),
      [
        { kind: 'port', port: 25, from: 'filtered', to: 'open' },
        { kind: 'diagnosis', from: 'port25-blocked', to: 'ok', summary: 'summary of ok' },
      ],
    ],
    [
      'a port probed for the first time in a later cycle',
      report([attempt({ port: 25, result: 'reachable' })], 'ok'),
      allOpenReport(),
      [{ kind: 'port', port: 587, from: null, to: 'open' }],
    ],
  ] as const)('%s', (_case, previous, next, changes) => {
    expect(describeChanges(previous, next)).toEqual(changes);
  });
});

describe('cycleSummary', () => {
  it('counts the attempts by result and lists the port statuses and the diagnosis', () => {
    expect(cycleSummary(port25BlockedReport())).toEqual({
      durationMs: 1840,
      attempts: 3,
      reachable: 1,
      blocked: 0,
      filtered: 2,
      error: 0,
      ports: { '25': 'filtered', '587': 'open' },
      diagnosis: 'port25-blocked',
    });
  });
});
