// The daemon's footprint: `mxprobe probe` (the single executable, or the npm build under node)
// runs cycle after cycle against bench/footprint-peers.ts, a probe set the shape of the shipped
// default on loopback, while its resident memory is read from /proc at every tenth cycle. A
// short interval (--min-interval) packs hours of cycles into minutes; it is the harder case,
// since V8 gets no idle time between cycles to give memory back. Used by `npm run bench` and by
// test/root/footprint.test.ts; binding ports 25 and 465 needs root.

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { freePort } from '../lab/free-port.js';
import { startFootprintPeers } from './footprint-peers.js';

export interface MemorySample {
  cycle: number;
  /** VmRSS, and its two parts: anonymous memory (the daemon's own) and mapped files. */
  rssKiB: number;
  anonKiB: number;
  fileKiB: number;
}

export interface FootprintResult {
  command: string;
  cycles: number;
  attemptsPerCycle: number;
  seconds: number;
  samples: MemorySample[];
  /** VmHWM at the end: the most the process ever held. */
  peakKiB: number;
  /** Every cycle's summary must be the first one's: all reachable. */
  firstSummary: Record<string, unknown>;
  differentCycles: number;
  stderr: string;
}

const SAMPLE_EVERY = 10;
const CYCLE_TIMEOUT_MS = 60_000;

/** Runs `command probe` (e.g. [release/mxprobe-…-linux-x64]) for `cycles` cycles. */
export async function measureFootprint(
  command: readonly string[],
  cycles: number,
): Promise<FootprintResult> {
  const peers = await startFootprintPeers();
  const dir = mkdtempSync(join(tmpdir(), 'mxprobe-footprint-'));
  try {
    const config = join(dir, 'footprint.yaml');
    writeFileSync(config, peers.probeSet(`127.0.0.1:${await freePort()}`, '10ms'));
    return await runDaemon(command, config, cycles, peers.shape.attempts);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await peers.close();
  }
}

async function runDaemon(
  command: readonly string[],
  config: string,
  cycles: number,
  attemptsPerCycle: number,
): Promise<FootprintResult> {
  const [file = '', ...args] = command;
  const child = spawn(file, [...args, 'probe', '--config', config, '--min-interval', '10ms'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const started = performance.now();
  const samples: MemorySample[] = [];
  let seen = 0;
  let firstSummary: Record<string, unknown> | undefined;
  let differentCycles = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      let timer = setTimeout(
        () => reject(new Error('no cycle finished in time')),
        CYCLE_TIMEOUT_MS,
      );
      child.once('exit', (code) => reject(new Error(`mxprobe exited (${code}): ${stderr}`)));
      createInterface({ input: child.stdout }).on('line', (line) => {
        const entry = parseLogLine(line);
        if (entry?.msg !== 'probe cycle finished' || seen >= cycles) return;
        seen += 1;
        const summary = { ...entry, time: undefined, cycle: undefined, durationMs: undefined };
        firstSummary ??= summary;
        if (JSON.stringify(summary) !== JSON.stringify(firstSummary)) differentCycles += 1;
        if (seen === 1 || seen % SAMPLE_EVERY === 0 || seen === cycles)
          samples.push({ cycle: seen, ...memoryOf(child.pid ?? 0) });
        clearTimeout(timer);
        if (seen === cycles) resolve();
        else timer = setTimeout(() => reject(new Error('a cycle hung')), CYCLE_TIMEOUT_MS);
      });
    });
    return {
      command: command.join(' '),
      cycles,
      attemptsPerCycle,
      seconds: (performance.now() - started) / 1000,
      samples,
      peakKiB: statusField(child.pid ?? 0, 'VmHWM'),
      firstSummary: firstSummary ?? {},
      differentCycles,
      stderr,
    };
  } finally {
    child.kill('SIGTERM');
    if (child.exitCode === null) await new Promise((resolve) => child.once('exit', resolve));
  }
}

function parseLogLine(line: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

function statusField(pid: number, name: string): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
}

function memoryOf(pid: number): Omit<MemorySample, 'cycle'> {
  return {
    rssKiB: statusField(pid, 'VmRSS'),
    anonKiB: statusField(pid, 'RssAnon'),
    fileKiB: statusField(pid, 'RssFile'),
  };
}

/** The RSS of this Node.js doing nothing, a second after it started: the runtime's own floor. */
export async function idleNodeRssKiB(): Promise<number> {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], {
    stdio: 'ignore',
  });
  try {
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    return statusField(child.pid ?? 0, 'VmRSS');
  } finally {
    child.kill();
  }
}

const MiB = (kib: number): string => `${(kib / 1024).toFixed(1)} MiB`;

/** The median and the largest of a list. */
export function spread(values: readonly number[]): { median: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)] ?? Number.NaN, max: sorted.at(-1) ?? 0 };
}

/** What a person reads: RSS over the run, and what it is made of. */
export function footprintReport(r: FootprintResult): string {
  const rss = spread(r.samples.map((s) => s.rssKiB));
  const anon = spread(r.samples.map((s) => s.anonKiB));
  const file = spread(r.samples.map((s) => s.fileKiB));
  return [
    `${r.command}: ${r.cycles} cycles of ${r.attemptsPerCycle} attempts in ${r.seconds.toFixed(0)} s`,
    `  RSS: median ${MiB(rss.median)}, max ${MiB(rss.max)}, peak (VmHWM) ${MiB(r.peakKiB)}`,
    `  of which anonymous (the daemon's own): median ${MiB(anon.median)}, max ${MiB(anon.max)};` +
      ` mapped files (Node.js's code and data): median ${MiB(file.median)}, max ${MiB(file.max)}`,
    `  cycles whose summary differs from the first: ${r.differentCycles}`,
    `  samples (cycle RSS-MiB): ${r.samples.map((s) => `${s.cycle} ${(s.rssKiB / 1024).toFixed(0)}`).join(', ')}`,
  ].join('\n');
}
