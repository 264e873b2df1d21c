import { describe, expect, it } from 'vitest';
import { staggerWidth, synOffsets } from '../../../src/probe/connect.js';
import { runScheduled, START_BURST, type ScheduleOptions } from '../../../src/probe/schedule.js';
import {
  parseOpenFileLimit,
  SocketBudget,
  SocketLease,
  socketBound,
} from '../../../src/probe/sockets.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const options = (extra: Partial<ScheduleOptions> = {}): ScheduleOptions => ({
  perTarget: 16,
  perAddress: 2,
  spacingMs: 0,
  startsPerSecond: 2_000,
  sockets: 4_096,
  socketsPerAttempt: 6,
  ...extra,
});

/** Runs `items` attempts that each take `ms`, recording the most in flight per key. */
async function track(
  keys: { target: string; address: string }[],
  ms: number,
  opts: ScheduleOptions,
) {
  const inFlight = new Map<string, number>();
  const most = new Map<string, number>();
  const bump = (key: string, by: number): void => {
    const now = (inFlight.get(key) ?? 0) + by;
    inFlight.set(key, now);
    most.set(key, Math.max(most.get(key) ?? 0, now));
  };
  const started = performance.now();
  const results = await runScheduled(
    keys,
    (k) => k,
    async (k) => {
      for (const key of ['all', `t:${k.target}`, `a:${k.address}`]) bump(key, 1);
      await sleep(ms);
      for (const key of ['all', `t:${k.target}`, `a:${k.address}`]) bump(key, -1);
      return k.address;
    },
    opts,
  );
  return { results, most, ms: performance.now() - started };
}

describe('runScheduled: politeness per destination', () => {
  it('keeps at most `perTarget` attempts in flight to one target, and returns results in order', async () => {
    const keys = Array.from({ length: 12 }, (_, i) => ({ target: 'one', address: `a${i}` }));
    const { results, most } = await track(keys, 20, options({ perTarget: 3 }));
    expect(most.get('t:one')).toBe(3);
    expect(results).toEqual(keys.map((k) => k.address));
  });

  it('keeps at most `perAddress` attempts in flight to one address', async () => {
    const keys = Array.from({ length: 6 }, (_, i) => ({ target: `t${i}`, address: 'same' }));
    const { most } = await track(keys, 20, options({ perAddress: 2 }));
    expect(most.get('a:same')).toBe(2);
  });

  it('spaces the starts of attempts to one address', async () => {
    const starts: number[] = [];
    const began = performance.now();
    await runScheduled(
      [1, 2, 3],
      () => ({ target: 't', address: 'same' }),
      () => Promise.resolve(void starts.push(performance.now() - began)),
      options({ spacingMs: 50 }),
    );
    expect(starts[1]! - starts[0]!).toBeGreaterThanOrEqual(49);
    expect(starts[2]! - starts[1]!).toBeGreaterThanOrEqual(49);
  });
});

describe('runScheduled: different destinations at once', () => {
  it('runs 300 attempts to 300 destinations in about the time of one', async () => {
    const keys = Array.from({ length: 300 }, (_, i) => ({ target: `t${i}`, address: `a${i}` }));
    const { ms, most } = await track(keys, 200, options());
    expect(most.get('all')).toBe(300);
    // 16 at a time, as before, would take 19 × 200 ms = 3.8 s.
    expect(ms).toBeLessThan(2_000);
  });

  it('never holds more sockets than the budget: an attempt starts when its connect fits', async () => {
    const keys = Array.from({ length: 10 }, (_, i) => ({ target: `t${i}`, address: `a${i}` }));
    const { most } = await track(keys, 20, options({ sockets: 13, socketsPerAttempt: 6 }));
    expect(most.get('all')).toBe(2);
  });

  it('starts the next attempts as soon as one gives back the sockets it does not use', async () => {
    const keys = Array.from({ length: 8 }, (_, i) => ({ target: `t${i}`, address: `a${i}` }));
    let inFlight = 0;
    let most = 0;
    await runScheduled(
      keys,
      (k) => k,
      async (_k, lease) => {
        expect(lease.count).toBe(6);
        inFlight += 1;
        most = Math.max(most, inFlight);
        lease.release(5); // connected: only the connection itself is still held
        await sleep(30);
        inFlight -= 1;
      },
      options({ sockets: 12, socketsPerAttempt: 6 }),
    );
    // 12 sockets: two attempts fit at first, then each one that connects lets more in.
    expect(most).toBeGreaterThan(2);
  });

  it('paces the starts: START_BURST at once, then startsPerSecond', async () => {
    const keys = Array.from({ length: 160 }, (_, i) => ({ target: `t${i}`, address: `a${i}` }));
    const starts: number[] = [];
    let beforeLoopTurned = -1;
    setImmediate(() => (beforeLoopTurned = starts.length));
    const began = performance.now();
    await runScheduled(
      keys,
      (k) => k,
      () => Promise.resolve(void starts.push(performance.now() - began)),
      options(),
    );
    // The first batch before the event loop turns (plus what refills while it starts); an
    // unpaced schedule would start all 160 there.
    expect(beforeLoopTurned).toBeGreaterThanOrEqual(START_BURST);
    expect(beforeLoopTurned).toBeLessThan(160 / 2);
    // … and the rest at 2 per ms: 144 more take at least 72 ms.
    expect(Math.max(...starts)).toBeGreaterThanOrEqual((160 - START_BURST) / 2 - 2);
  });

  it('starts no faster than the rate it is given (the daemon spreads its cycles)', async () => {
    const keys = Array.from({ length: 30 }, (_, i) => ({ target: `t${i}`, address: `a${i}` }));
    const starts: number[] = [];
    const began = performance.now();
    await runScheduled(
      keys,
      (k) => k,
      () => Promise.resolve(void starts.push(performance.now() - began)),
      options({ startsPerSecond: 100 }),
    );
    // 16 at once, then 14 more at one per 10 ms.
    expect(Math.max(...starts)).toBeGreaterThanOrEqual(140 - 2);
  });

  it('starts a large pass in batches, so the event loop keeps answering between them', async () => {
    const keys = Array.from({ length: 200 }, (_, i) => ({ target: `t${i}`, address: `a${i}` }));
    let started = 0;
    let startedWhenLoopTurned = -1;
    setImmediate(() => (startedWhenLoopTurned = started));
    await runScheduled(
      keys,
      (k) => k,
      async () => {
        started += 1;
        await sleep(5);
      },
      options(),
    );
    expect(startedWhenLoopTurned).toBeGreaterThan(0);
    expect(startedWhenLoopTurned).toBeLessThanOrEqual(START_BURST);
    expect(started).toBe(200);
  });

  it('stops starting attempts when the signal aborts, and rejects', async () => {
    const controller = new AbortController();
    const keys = Array.from({ length: 6 }, () => ({ target: 't', address: 'same' }));
    let started = 0;
    const pass = runScheduled(
      keys,
      (k) => k,
      async () => {
        started += 1;
        await sleep(10);
      },
      options({ spacingMs: 100, signal: controller.signal }),
    );
    setTimeout(() => controller.abort(new Error('stop')), 150);
    await expect(pass).rejects.toThrow('stop');
    await sleep(300);
    expect(started).toBe(2);
  });
});

describe('socket budget', () => {
  it('leases sockets, gives back what is released, and lets one outlive the attempt', () => {
    const budget = new SocketBudget(10);
    const lease = new SocketLease(budget, budget.take(6));
    expect(budget.free).toBe(4);
    expect(lease.extend(6)).toBe(4);
    expect(budget.free).toBe(0);
    lease.release(9);
    expect(lease.count).toBe(1);
    const giveBack = lease.split();
    lease.releaseAll();
    expect(budget.free).toBe(9);
    giveBack();
    giveBack();
    expect(budget.free).toBe(10);
  });

  it.each([
    [4_096, 20_000, 4_096],
    [4_096, 1_024, 896],
    [4_096, undefined, 4_096],
    [100, 50, 1],
  ])('maxSockets %i under an open-file limit of %s → %i', (configured, limit, bound) => {
    expect(socketBound(configured, limit)).toBe(bound);
  });

  it('reads the soft open-file limit from /proc/PID/limits', () => {
    const limits = [
      'Limit                     Soft Limit           Hard Limit           Units     ',
      'Max processes             95000                95000                processes ',
      'Max open files            20000                524288               files     ',
    ].join('\n');
    expect(parseOpenFileLimit(limits)).toBe(20_000);
    expect(parseOpenFileLimit('Max open files  unlimited  unlimited  files')).toBeUndefined();
  });
});

describe('synOffsets: staggered SYNs all get a retransmit before the connect timeout', () => {
  it.each([
    [1500, [0, 100, 200, 300, 400, 500]],
    [2500, [0, 300, 600, 900, 1200, 1500]],
    [5000, [0, 800, 1600, 2400, 3200, 4000]],
    [800, [0]],
  ])('connect timeout %i ms → %j', (timeout, offsets) => {
    expect(synOffsets(timeout)).toEqual(offsets);
    expect(staggerWidth(timeout)).toBe(offsets.length);
  });
});
