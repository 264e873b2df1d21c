// Runs a pass's attempts as soon as politeness and file descriptors allow. The rules that
// matter to a mail provider are kept per destination:
//   - one address: at most `perAddress` attempts in flight, their starts `spacingMs` apart;
//   - one target (a domain's MX hosts, or a host's addresses): at most `perTarget` in flight.
// Beyond that, attempts to different destinations run at once, bounded only by a socket
// budget: an attempt starts when the budget holds its connect's worst case (the staggered
// SYNs) and gives back what it does not use. A silently dropped destination costs nothing to
// anyone, so N of them cost a pass about one connect timeout, not N/16 of them.
//
// Starts are paced: a burst of START_BURST, then `startsPerSecond`. A pass of thousands then
// spreads its sockets' work (connects, stagger timers, timeouts) evenly instead of in bursts
// that would hold up the event loop (the daemon's HTTP answers, the reading of replies), and
// never sends thousands of SYNs in one go.

import { performance } from 'node:perf_hooks';
import { abortError } from '../util/abort.js';
import { SocketBudget, SocketLease } from './sockets.js';

/** Attempts started at once, at most; the next ones follow at the pass's start rate. */
export const START_BURST = 16;
/** When the burst is spent, the scheduler looks again once this many starts are allowed. */
const START_STEP = 4;

export interface ScheduleKeys {
  /** The target the attempt belongs to (a domain or a host, as configured). */
  target: string;
  address: string;
}

export interface ScheduleOptions {
  /** Attempts in flight to one target. */
  perTarget: number;
  /** Attempts in flight to one address. */
  perAddress: number;
  /** Least time between the starts of two attempts to one address. */
  spacingMs: number;
  /** Attempts started per second, at most (after a first burst of START_BURST). */
  startsPerSecond: number;
  /** Sockets the whole pass may hold at once. */
  sockets: number;
  /** Sockets an attempt must be able to open before it starts (capped by `sockets`). */
  socketsPerAttempt: number;
  signal?: AbortSignal | undefined;
}

export function runScheduled<T, R>(
  items: readonly T[],
  keysOf: (item: T) => ScheduleKeys,
  run: (item: T, sockets: SocketLease) => Promise<R>,
  options: ScheduleOptions,
): Promise<R[]> {
  return new Scheduler(items, keysOf, run, options).done;
}

class Scheduler<T, R> {
  readonly done: Promise<R[]>;
  private resolve!: (results: R[]) => void;
  private reject!: (error: Error) => void;
  private readonly keys: ScheduleKeys[];
  private readonly results: R[] = [];
  private readonly started: boolean[];
  /** Items before this index have all started. */
  private head = 0;
  private waiting: number;
  private running = 0;
  private finished = false;
  private readonly budget: SocketBudget;
  private readonly need: number;
  private readonly inTarget = new Map<string, number>();
  private readonly inAddress = new Map<string, number>();
  private readonly lastStart = new Map<string, number>();
  private pumpQueued = false;
  /** Starts allowed now: they come back at startsPerSecond, never more than START_BURST. */
  private tokens = START_BURST;
  private tokensAt = performance.now();
  private wake: { at: number; timer: NodeJS.Timeout } | undefined;

  constructor(
    private readonly items: readonly T[],
    keysOf: (item: T) => ScheduleKeys,
    private readonly run: (item: T, sockets: SocketLease) => Promise<R>,
    private readonly options: ScheduleOptions,
  ) {
    this.done = new Promise<R[]>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    this.keys = items.map(keysOf);
    this.started = items.map(() => false);
    this.waiting = items.length;
    this.budget = new SocketBudget(Math.max(1, options.sockets));
    this.need = Math.max(1, Math.min(options.socketsPerAttempt, this.budget.total));
    this.budget.onRelease = () => this.queuePump();
    const { signal } = options;
    if (signal?.aborted) {
      this.fail(abortError(signal));
      return;
    }
    signal?.addEventListener('abort', this.onAbort, { once: true });
    if (items.length === 0) this.finish();
    else this.pump();
  }

  private readonly onAbort = (): void => this.fail(abortError(this.options.signal));

  /** Starts what the rules allow now, as fast as the start rate lets it; plans the next look. */
  private pump(): void {
    this.pumpQueued = false;
    if (this.finished) return;
    const now = performance.now();
    const perMs = this.options.startsPerSecond / 1000;
    this.tokens = Math.min(START_BURST, this.tokens + (now - this.tokensAt) * perMs);
    this.tokensAt = now;
    let nextReady = Infinity;
    for (let i = this.head; i < this.items.length; i++) {
      if (this.started[i]) {
        if (i === this.head) this.head += 1;
        continue;
      }
      const { target, address } = this.keys[i] as ScheduleKeys;
      if ((this.inTarget.get(target) ?? 0) >= this.options.perTarget) continue;
      if ((this.inAddress.get(address) ?? 0) >= this.options.perAddress) continue;
      const readyAt = (this.lastStart.get(address) ?? -Infinity) + this.options.spacingMs;
      if (readyAt > now) {
        nextReady = Math.min(nextReady, readyAt);
        continue;
      }
      if (this.tokens < 1) {
        this.wakeAt(now + (START_STEP - this.tokens) / perMs);
        return;
      }
      // Sockets are shared by all: when the next attempt in line cannot have its share, no
      // later one may take it (it waits for attempts to give sockets back).
      if (!this.budget.takeExactly(this.need)) break;
      this.start(i, new SocketLease(this.budget, this.need), now);
      this.tokens -= 1;
    }
    if (nextReady < Infinity) this.wakeAt(nextReady);
  }

  private start(index: number, lease: SocketLease, now: number): void {
    const { target, address } = this.keys[index] as ScheduleKeys;
    this.started[index] = true;
    this.waiting -= 1;
    this.running += 1;
    this.inTarget.set(target, (this.inTarget.get(target) ?? 0) + 1);
    this.inAddress.set(address, (this.inAddress.get(address) ?? 0) + 1);
    this.lastStart.set(address, now);
    let attempt: Promise<R>;
    try {
      attempt = this.run(this.items[index] as T, lease);
    } catch (error) {
      attempt = Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    attempt
      .then(
        (result) => {
          this.results[index] = result;
        },
        (error: unknown) => this.fail(error instanceof Error ? error : new Error(String(error))),
      )
      .finally(() => {
        this.running -= 1;
        this.inTarget.set(target, (this.inTarget.get(target) ?? 1) - 1);
        this.inAddress.set(address, (this.inAddress.get(address) ?? 1) - 1);
        lease.releaseAll();
        if (this.running === 0 && this.waiting === 0) this.finish();
        else this.queuePump();
      })
      .catch(() => undefined);
  }

  /** Coalesces the wake-ups of one turn (many attempts ending together) into one pump. */
  private queuePump(): void {
    if (this.pumpQueued || this.finished) return;
    this.pumpQueued = true;
    setImmediate(() => this.pump());
  }

  private wakeAt(at: number): void {
    if (this.wake !== undefined && this.wake.at <= at) return;
    if (this.wake !== undefined) clearTimeout(this.wake.timer);
    const timer = setTimeout(
      () => {
        this.wake = undefined;
        this.pump();
      },
      Math.max(0, at - performance.now()),
    );
    this.wake = { at, timer };
  }

  private finish(): void {
    if (this.finished) return;
    this.cleanUp();
    this.resolve(this.results);
  }

  private fail(error: Error): void {
    if (this.finished) return;
    this.cleanUp();
    this.reject(error);
  }

  private cleanUp(): void {
    this.finished = true;
    if (this.wake !== undefined) clearTimeout(this.wake.timer);
    this.wake = undefined;
    this.budget.onRelease = undefined;
    this.options.signal?.removeEventListener('abort', this.onAbort);
  }
}
