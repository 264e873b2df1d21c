// The daemon at scale: `mxprobe probe` in the lab VM with HOSTS bench hosts on 25 (dropped) and
// 587 (greeting), 2 × HOSTS attempts per cycle, a cycle every 10 s; GET /metrics is asked
// RATE times a second (bench/load.ts, open loop, from the VM, with Prometheus' headers:
// OpenMetrics, gzip) while cycles run. Reported: the
// daemon's peak RSS, and the latency of the scrapes that arrived while a cycle was running
// (the cycles' spans come from the daemon's own "probe cycle finished" log lines).

import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { MXPROBE_BIN, REPO_ROOT, type Lab } from '../lab/lab.js';
import { freeVmPort, median, percentile, say } from './common.js';
import type { LoadSample } from './load.js';
import { scaleConfigYaml } from './scale.js';

const LOAD = join(REPO_ROOT, 'dist', 'bench', 'load.js');
const INTERVAL = '10s';
const STOP_TIMEOUT_MS = 10_000;

export interface DaemonResult {
  attemptsPerCycle: number;
  cycles: { durationMs: number; attempts: number }[];
  peakRssKiB: number;
  requests: number;
  duringCycles: LoadSample[];
  /** The scrapes between cycles: what this machine gives when mxprobe is idle. */
  betweenCycles: LoadSample[];
  all: LoadSample[];
  /** The machine's 1-minute load average when the load started. */
  loadAverage: number;
  failed: number;
}

interface CycleLog {
  time: string;
  msg: string;
  durationMs?: number;
  attempts?: number;
}

/** VmHWM (peak) and VmRSS of a process, in KiB. */
function memoryOf(pid: number): { peakKiB: number; rssKiB: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string): number =>
    Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  return { peakKiB: field('VmHWM'), rssKiB: field('VmRSS') };
}

export async function runDaemonAtScale(
  lab: Lab,
  addresses: readonly string[],
  rate: number,
  loadSeconds: number,
): Promise<DaemonResult> {
  lab.apply('azure');
  const config = join(lab.names.stateDir, 'bench-daemon.yaml');
  writeFileSync(config, scaleConfigYaml(addresses));
  const port = await freeVmPort(lab);
  const daemon = startDaemon(lab, config, port);
  try {
    await daemon.firstCycle;
    say(`daemon: first cycle done; ${rate} requests/s on /metrics for ${loadSeconds} s…`);
    const loadFrom = Date.now();
    const loadAverage = loadavg()[0] ?? 0;
    const load = await lab.execInVm(
      [
        process.execPath,
        LOAD,
        `http://127.0.0.1:${port}/metrics`,
        String(rate),
        String(loadSeconds),
      ],
      { timeoutMs: (loadSeconds + 60) * 1_000 },
    );
    const peakKiB = memoryOf(daemon.child.pid ?? 0).peakKiB;
    const samples = JSON.parse(load.stdout) as LoadSample[];
    const cycles = finishedCycles(daemon.logs, loadFrom);
    const during = samples.filter((s) =>
      cycles.some((c) => s.startedAt >= c.end - c.durationMs && s.startedAt <= c.end),
    );
    return {
      attemptsPerCycle: 2 * addresses.length,
      cycles: cycles.map(({ durationMs, attempts }) => ({ durationMs, attempts })),
      peakRssKiB: peakKiB,
      requests: samples.length,
      duringCycles: during,
      betweenCycles: samples.filter((s) => !during.includes(s)),
      all: samples,
      loadAverage,
      failed: samples.filter((s) => s.status !== 200).length,
    };
  } finally {
    daemon.child.kill('SIGTERM');
    await Promise.race([
      daemon.exited,
      new Promise((resolve) => setTimeout(resolve, STOP_TIMEOUT_MS)),
    ]);
  }
}

interface RunningDaemon {
  child: ChildProcess;
  exited: Promise<void>;
  /** Its log lines so far. */
  logs: CycleLog[];
  /** Resolves at its first finished cycle; rejects when it exits before. */
  firstCycle: Promise<void>;
}

/** `mxprobe probe` in the VM; `ip netns exec` execs it, so the child's pid is mxprobe's own. */
function startDaemon(lab: Lab, config: string, port: number): RunningDaemon {
  const child = spawn(
    'ip',
    ['netns', 'exec', lab.names.namespaces.vm, process.execPath, MXPROBE_BIN, 'probe'].concat([
      '--config',
      config,
      '--listen',
      `127.0.0.1:${port}`,
      '--interval',
      INTERVAL,
      '--min-interval',
      INTERVAL,
    ]),
    { env: lab.vmEnv(), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const logs: CycleLog[] = [];
  let stderr = '';
  let cycleFinished: () => void = () => undefined;
  const cycled = new Promise<void>((resolve) => (cycleFinished = resolve));
  onLines(child.stdout, (line) => {
    try {
      const entry = JSON.parse(line) as CycleLog;
      logs.push(entry);
      if (entry.msg === 'probe cycle finished') cycleFinished();
    } catch {
      // not a log line
    }
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const firstCycle = Promise.race([
    cycled,
    exited.then(() => {
      throw new Error(`the daemon exited: ${stderr.trim().slice(-1_000)}`);
    }),
  ]);
  return { child, exited, logs, firstCycle };
}

/** Calls `online` with each whole line the stream writes. */
function onLines(stream: Readable, online: (line: string) => void): void {
  let buffered = '';
  stream.setEncoding('utf8').on('data', (chunk: string) => {
    buffered += chunk;
    let newline: number;
    while ((newline = buffered.indexOf('\n')) >= 0) {
      online(buffered.slice(0, newline));
      buffered = buffered.slice(newline + 1);
    }
  });
}

/** The cycles the daemon finished since `from`, from its "probe cycle finished" lines. */
function finishedCycles(
  logs: readonly CycleLog[],
  from: number,
): { end: number; durationMs: number; attempts: number }[] {
  return logs
    .filter((l) => l.msg === 'probe cycle finished' && Date.parse(l.time) >= from)
    .map((l) => ({
      end: Date.parse(l.time),
      durationMs: l.durationMs ?? 0,
      attempts: l.attempts ?? 0,
    }));
}

export function daemonReport(r: DaemonResult, rate: number): string {
  const ms = (x: number): string => `${x.toFixed(1)} ms`;
  const stats = (samples: readonly LoadSample[]): string => {
    const latencies = samples.map((s) => s.latencyMs);
    return (
      `${latencies.length} requests, p50 ${ms(median(latencies))}, ` +
      `p99 ${ms(percentile(latencies, 99))}, max ${ms(Math.max(...latencies))}`
    );
  };
  return (
    `Daemon at scale: ${r.attemptsPerCycle} attempts per cycle, /metrics asked ${rate} times a ` +
    `second (OpenMetrics, gzip: ${(r.all[0]?.bytes ?? 0).toLocaleString('en')} bytes each); ` +
    `machine load average ${r.loadAverage.toFixed(1)}\n\n` +
    `  cycles while loaded: ${r.cycles.length} (${r.cycles.map((c) => `${c.attempts} attempts in ${(c.durationMs / 1000).toFixed(2)} s`).join(', ')})\n` +
    `  peak RSS (VmHWM): ${(r.peakRssKiB / 1024).toFixed(0)} MiB\n` +
    `  /metrics while a cycle ran: ${stats(r.duringCycles)}\n` +
    `  /metrics between cycles:    ${stats(r.betweenCycles)}\n` +
    `  failed requests: ${r.failed} of ${r.requests}\n`
  );
}
