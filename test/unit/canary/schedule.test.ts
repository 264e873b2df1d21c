import { describe, expect, it } from 'vitest';
import { scheduleCanaries, type ScheduledCanary } from '../../../src/canary/schedule.js';
import type { CanaryReport } from '../../../src/canary/types.js';

function canary(name: string, intervalMs: number): ScheduledCanary {
  return {
    spec: {
      name,
      relay: 'r',
      from: 'a@example.test',
      to: 'b@example.test',
      imap: { host: '127.0.0.1', port: 1, secure: 'none', username: 'u', passwordEnv: 'P' },
      timeoutMs: 5_000,
      intervalMs,
    },
    relay: { name: 'r', host: '127.0.0.1', port: 1, secure: 'none' },
  };
}

function report(name: string, n: number): CanaryReport {
  return {
    name,
    relay: 'r',
    status: 'delivered',
    seconds: n,
    folder: 'INBOX',
    auth: null,
    reply: null,
    startedAt: new Date().toISOString(),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("the daemon's canary schedule", () => {
  it('a canary stuck on its mailbox delays neither another canary nor a reader of the latest runs', async () => {
    let fastRuns = 0;
    let slowAborted = false;
    const schedule = scheduleCanaries(
      [canary('slow', 60_000), canary('fast', 100)],
      (c, signal) => {
        if (c.spec.name === 'slow')
          return new Promise((resolve) =>
            signal.addEventListener('abort', () => {
              slowAborted = true;
              resolve(report('slow', 0));
            }),
          );
        fastRuns += 1;
        return Promise.resolve(report('fast', fastRuns));
      },
    );
    await sleep(700);
    const latest = schedule.latest();
    expect(latest.map((r) => r.name)).toEqual(['fast']);
    // One run at once, then one per 100 ms: about 7 in 700 ms; a loaded machine may lose a few.
    expect(fastRuns).toBeGreaterThanOrEqual(3);
    expect(fastRuns).toBeLessThanOrEqual(8);
    expect(latest[0]?.seconds).toBe(fastRuns);
    await schedule.stop();
    expect(slowAborted).toBe(true);
    // A run cut short by shutdown is not published.
    expect(schedule.latest().map((r) => r.name)).toEqual(['fast']);
  });

  it('runs of one canary never overlap: a run longer than the interval is followed, not doubled', async () => {
    let running = 0;
    let most = 0;
    let runs = 0;
    const schedule = scheduleCanaries([canary('long', 50)], async () => {
      running += 1;
      runs += 1;
      most = Math.max(most, running);
      await sleep(150);
      running -= 1;
      return report('long', runs);
    });
    await sleep(600);
    await schedule.stop();
    expect(runs).toBeGreaterThanOrEqual(2);
    expect(runs).toBeLessThanOrEqual(5);
    expect(most).toBe(1);
  });

  it('the first run waits for its own delay', async () => {
    let runs = 0;
    const schedule = scheduleCanaries(
      [canary('late', 60_000)],
      () => {
        runs += 1;
        return Promise.resolve(report('late', runs));
      },
      { firstDelayMs: () => 300 },
    );
    await sleep(100);
    expect(runs).toBe(0);
    await sleep(600);
    expect(runs).toBe(1);
    await schedule.stop();
  });
});
