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
// when it is next needed. One thing the daemon may do is all JavaScript: checking a basic-auth
// password with bcrypt takes 3 s in the interpreter and 0.1 s optimized, so with users in the
// web config the optimizing tiers come back (optimizeJavaScript).
import v8 from 'node:v8';
import vm from 'node:vm';

/** Runs a full garbage collection. */
export type CollectGarbage = () => void;

/** The optimizing tiers again, for good: bcrypt (basic auth) needs them. */
export function optimizeJavaScript(): void {
  v8.setFlagsFromString('--sparkplug');
  v8.setFlagsFromString('--opt');
}

/** Applies the settings; returns the collection to run after each cycle. */
export function leanHeap(): CollectGarbage {
  // Read each time the young generation would grow: 1 keeps its semi-spaces at their 1 MB.
  v8.setFlagsFromString('--semi-space-growth-factor=1');
  // Read when a function gets hot: no Sparkplug or TurboFan tier above the interpreter.
  v8.setFlagsFromString('--no-opt');
  v8.setFlagsFromString('--no-sparkplug');
  // gc() is given to contexts created while the flag is on; only this one is.
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as CollectGarbage;
  v8.setFlagsFromString('--no-expose-gc');
  return gc;
}
