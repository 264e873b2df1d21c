import { describe, expect, it } from 'vitest';
import { synOffsets } from '../../src/probe/connect.js';
import { runScheduled, spacedStartTimes } from '../../src/probe/schedule.js';

describe('runScheduled', () => {
  it('never has more than `concurrency` attempts in flight, and returns results in order', async () => {
    let inFlight = 0;
    let most = 0;
    const results = await runScheduled(
      Array.from({ length: 12 }, (_, i) => i),
      (i) => `host${i}`,
      async (i) => {
        inFlight += 1;
        most = Math.max(most, inFlight);
        await new Promise((r) => setTimeout(r, 20));
        inFlight -= 1;
        return i * 2;
      },
      { concurrency: 3, spacingMs: 0 },
    );
    expect(most).toBe(3);
    expect(results).toEqual(Array.from({ length: 12 }, (_, i) => i * 2));
  });

  it('spaces the starts of attempts to one address', async () => {
    const starts: number[] = [];
    const began = Date.now();
    await runScheduled(
      [1, 2, 3],
      () => 'same',
      () => Promise.resolve(void starts.push(Date.now() - began)),
      { concurrency: 8, spacingMs: 50 },
    );
    expect(starts[1]! - starts[0]!).toBeGreaterThanOrEqual(45);
    expect(starts[2]! - starts[1]!).toBeGreaterThanOrEqual(45);
  });

  it('computes start offsets per key', () => {
    expect(spacedStartTimes(['a', 'b', 'a', 'a', 'b'], 100)).toEqual([0, 0, 100, 200, 100]);
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
  });
});
