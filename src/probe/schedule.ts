// Runs a pass's attempts with at most `concurrency` in flight and at least `spacingMs` between
// the starts of two attempts that share a key (an address), so a pass costs about one
// attempt's worst case without knocking on one mail server many times at once.

import { AbortFanout, sleep } from '../util/abort.js';

export interface ScheduleOptions {
  concurrency: number;
  spacingMs: number;
  signal?: AbortSignal | undefined;
}

/** Each item runs with a signal of its own, aborted with `options.signal` (util/abort.ts). */
export async function runScheduled<T, R>(
  items: T[],
  keyOf: (item: T) => string,
  run: (item: T, signal: AbortSignal | undefined) => Promise<R>,
  options: ScheduleOptions,
): Promise<R[]> {
  const startAt = spacedStartTimes(items.map(keyOf), options.spacingMs);
  const began = Date.now();
  const slots = new Semaphore(Math.max(1, options.concurrency));
  const units = new AbortFanout(options.signal);
  try {
    return await Promise.all(
      items.map((item, index) =>
        units.run(async (signal) => {
          await sleep(began + (startAt[index] ?? 0) - Date.now(), signal);
          await slots.acquire();
          try {
            signal?.throwIfAborted();
            return await run(item, signal);
          } finally {
            slots.release();
          }
        }),
      ),
    );
  } finally {
    units.close();
  }
}

/** Offsets (ms from the start of the pass) so items with the same key start spacingMs apart. Pure. */
export function spacedStartTimes(keys: string[], spacingMs: number): number[] {
  const seen = new Map<string, number>();
  return keys.map((key) => {
    const count = seen.get(key) ?? 0;
    seen.set(key, count + 1);
    return count * spacingMs;
  });
}

class Semaphore {
  private waiting: (() => void)[] = [];
  constructor(private free: number) {}

  async acquire(): Promise<void> {
    if (this.free > 0) {
      this.free -= 1;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free += 1;
  }
}
