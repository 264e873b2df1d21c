// The daemon's resident memory. V8 is tuned for throughput, not for a process that sleeps
// between probe cycles: its young generation grows to 32 MB under a cycle's allocation, its
// optimizing compilers keep machine code (and their own code pages) for functions that run once
// per cycle, and a cycle's garbage (with the TLS sessions and DNS channels it holds in native
// memory) waits until the old generation fills up. A daemon probing the shipped default's 19
// ports at a short interval then sits at 125 MB, most of it garbage. Here the young generation
// stays at its first size, functions stay in the bytecode interpreter (a cycle waits on sockets,
// not on JavaScript), and one full collection runs after each cycle, while the daemon has
// nothing else to do (a few milliseconds, once per interval): 67 MB, of which 47 MB is Node.js's
// own code and data mapped from its file (bench/footprint.ts). Set from inside the process,
// since the single executable takes no V8 flags; each is read by V8 when it is next needed.
import v8 from 'node:v8';
import vm from 'node:vm';

/** Runs a full garbage collection. */
export type CollectGarbage = () => void;

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
