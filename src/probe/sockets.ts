// How many sockets a pass may hold open at once, and who holds them. Every socket of an attempt
// is a file descriptor: the staggered SYNs (up to 6 per connect, probe/connect.ts), a backup
// connection, the connection itself until its goodbye is over. A pass hands each attempt a
// lease on a shared budget, and the attempt gives back what it no longer uses, so thousands of
// destinations can be probed at once without running out of descriptors.

import { readFileSync } from 'node:fs';

/** Descriptors kept free for everything else: stdio, DNS, the HTTP server and its scrapes. */
export const FD_HEADROOM = 128;

/** The sockets a pass may hold open at once, shared by its attempts. */
export class SocketBudget {
  private available: number;
  /** Called whenever sockets are given back (the scheduler starts waiting attempts then). */
  onRelease: (() => void) | undefined;

  constructor(readonly total: number) {
    this.available = total;
  }

  get free(): number {
    return this.available;
  }

  /** Takes up to `wanted` sockets without waiting; returns how many it got. */
  take(wanted: number): number {
    const granted = Math.max(0, Math.min(wanted, this.available));
    this.available -= granted;
    return granted;
  }

  /** Takes exactly `count` sockets if that many are free; else takes none. */
  takeExactly(count: number): boolean {
    if (count > this.available) return false;
    this.available -= count;
    return true;
  }

  give(count: number): void {
    if (count <= 0) return;
    this.available += count;
    this.onRelease?.();
  }
}

/** The sockets one attempt holds; everything it still holds goes back when the attempt ends. */
export class SocketLease {
  private held: number;

  constructor(
    private readonly budget: SocketBudget,
    held: number,
  ) {
    this.held = held;
  }

  get count(): number {
    return this.held;
  }

  /** Takes up to `more` sockets on top of the lease, without waiting; returns how many. */
  extend(more: number): number {
    const granted = this.budget.take(more);
    this.held += granted;
    return granted;
  }

  /** Gives back `count` sockets (at most what is held). */
  release(count: number): void {
    const given = Math.max(0, Math.min(count, this.held));
    this.held -= given;
    this.budget.give(given);
  }

  releaseAll(): void {
    this.release(this.held);
  }

  /**
   * Moves one socket out of the lease to something that outlives the attempt (the goodbye
   * after the verdict); the function returned gives it back, once.
   */
  split(): () => void {
    if (this.held === 0) return () => undefined;
    this.held -= 1;
    let given = false;
    return () => {
      if (given) return;
      given = true;
      this.budget.give(1);
    };
  }
}

/** The socket budget: the configured bound, under the descriptor limit less headroom. Pure. */
export function socketBound(configured: number, fdLimit: number | undefined): number {
  if (fdLimit === undefined) return configured;
  return Math.max(1, Math.min(configured, fdLimit - FD_HEADROOM));
}

/**
 * This process's limit on open files (`ulimit -n`; Node raises the soft limit to the hard one
 * at start), from /proc/self/limits; undefined where that cannot be read.
 */
export function openFileLimit(read: () => string = readProcLimits): number | undefined {
  try {
    return parseOpenFileLimit(read());
  } catch {
    return undefined;
  }
}

/** The soft "Max open files" limit in a /proc/PID/limits text; undefined if unlimited or absent. Pure. */
export function parseOpenFileLimit(limits: string): number | undefined {
  const line = limits.split('\n').find((l) => l.startsWith('Max open files'));
  const soft = line?.slice('Max open files'.length).trim().split(/\s+/)[0];
  if (soft === undefined || !/^\d+$/.test(soft)) return undefined;
  return Number(soft);
}

function readProcLimits(): string {
  return readFileSync('/proc/self/limits', 'utf8');
}
