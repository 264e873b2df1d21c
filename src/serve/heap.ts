// The daemon's resident memory. V8 is tuned for throughput, not for a process that sleeps
// between probe cycles: its young generation grows to 32 MB under a cycle's allocation, its
// optimizing compiler keeps machine code (and touches its own code pages) for functions that run
// once per cycle, and a cycle's garbage (with the TLS sessions and DNS channels it holds in native
// memory) waits until the old generation fills up. With the shipped default's 19 ports at a
// short interval the daemon sat at 125 MiB, most of it garbage. Here the young generation stays
// at its first size, functions stay in the bytecode interpreter (a cycle waits on sockets, not on
// JavaScript), and one full collection runs after each cycle, while the daemon has nothing else
// to do (a few milliseconds, once per interval): 58-66 MiB, of which about 20 MiB is the
// daemon's own and the rest Node.js's code and data mapped from its file (bench/footprint.ts).
// Set from inside the process, since the single executable takes no V8 flags; V8 reads each
// when it is next needed. Two kinds of work are all JavaScript, and there the daemon goes back to
// V8's defaults for good: a basic-auth password checked with bcrypt (3 s in the interpreter, 0.1 s
// optimized), and cycles of more than LEAN_MAX_ATTEMPTS attempts, whose thousands of series the
// interpreter renders too slowly for /metrics (p99 330 ms at 2,000 attempts, against 6 ms) and
// whose heap a full collection would pause on after every cycle.
import v8 from 'node:v8';
import vm from 'node:vm';

/** Up to this many attempts a cycle (the shipped default has 19), the daemon stays lean. */
const LEAN_MAX_ATTEMPTS = 200;

export interface LeanHeap {
  /** After each cycle, with its attempts (undefined when it failed). */
  afterCycle(attempts: number | undefined): void;
  /** V8's defaults again, for good: the optimizing tiers, and no collection of our own. */
  leaveLean(): void;
}

/** Applies the settings; the daemon tells the result of each cycle to afterCycle. */
export function leanHeap(): LeanHeap {
  // Read each time the young generation would grow: 1 keeps its semi-spaces at their 1 MB.
  v8.setFlagsFromString('--semi-space-growth-factor=1');
  // Read when a function gets hot: no Sparkplug or TurboFan tier above the interpreter.
  v8.setFlagsFromString('--no-opt');
  v8.setFlagsFromString('--no-sparkplug');
  // gc() is given to contexts created while the flag is on; only this one is.
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  v8.setFlagsFromString('--no-expose-gc');
  let lean = true;
  const leaveLean = (): void => {
    if (!lean) return;
    lean = false;
    v8.setFlagsFromString('--semi-space-growth-factor=2');
    v8.setFlagsFromString('--sparkplug');
    v8.setFlagsFromString('--opt');
  };
  return {
    afterCycle: (attempts) => {
      if (attempts !== undefined && attempts > LEAN_MAX_ATTEMPTS) leaveLean();
      if (lean) gc();
    },
    leaveLean,
  };
}
