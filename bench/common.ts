// What the bench's parts share: statistics, a plain-text table, and a free port in the lab VM.

import type { Lab } from '../lab/lab.js';

export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
};

/** The p-th percentile (0–100), nearest rank. */
export const percentile = (xs: readonly number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const rank = Math.min(s.length, Math.max(1, Math.ceil((p / 100) * s.length)));
  return s[rank - 1] ?? Number.NaN;
};

export function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows
    .map((r) =>
      r
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** A TCP port nobody listens on in the VM namespace, found by letting the kernel pick one. */
export async function freeVmPort(lab: Lab): Promise<number> {
  const run = await lab.execInVm(
    [
      process.execPath,
      '-e',
      "const s = require('node:net').createServer().listen(0, '127.0.0.1', () => { process.stdout.write(String(s.address().port)); s.close(); });",
    ],
    { timeoutMs: 10_000 },
  );
  const port = Number.parseInt(run.stdout, 10);
  if (run.code !== 0 || !Number.isInteger(port)) {
    throw new Error(`cannot find a free port in the lab VM: ${run.stderr.trim()}`);
  }
  return port;
}

export const say = (line: string): void => {
  process.stderr.write(`bench: ${line}\n`);
};

/** The line bench/rusage-hook.ts writes on stderr as mxprobe exits. */
export const RUSAGE_PREFIX = 'bench-rusage ';

export interface Rusage {
  maxRssKiB: number;
  userMs: number;
  systemMs: number;
}
