// The daemon soak: the built `mxprobe probe` runs cycle after cycle (a short interval through
// --min-interval) against loopback mail servers on 25, 587 and 465 (a stable real MTA beside
// hostile ones, and eight relays that echo the AUTH token), while its resident memory and open
// file descriptors are sampled from /proc. Used by test/root/soak.test.ts (a short run in the
// suite) and `npm run soak` (SOAK_CYCLES=1000). Binding ports below 1024 needs root.

import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, spawnDaemon } from './daemon-process.js';
import {
  authEchoRelay,
  hostileServer,
  HOSTILE_VERDICTS,
  type HostileBehaviour,
} from './hostile-servers.js';
import { realSmtpServer, type Loopback } from './loopback-servers.js';

/** Loopback addresses of their own, so the soak never meets another test's servers. */
const NET = '127.0.12';
export const STABLE = `${NET}.1`;
/** Hostile servers, each on its own address, on the port it pretends to serve. */
const HOSTILE: { behaviour: HostileBehaviour; port: number }[] = [
  { behaviour: 'pipelined', port: 25 },
  { behaviour: 'long-greeting', port: 25 },
  { behaviour: 'escape-greeting', port: 25 },
  { behaviour: 'greet-554', port: 25 },
  { behaviour: 'garbage', port: 25 },
  { behaviour: 'reset', port: 25 },
  { behaviour: 'endless-line', port: 25 },
  { behaviour: 'endless-reply', port: 25 },
  { behaviour: 'huge-chain', port: 465 },
  { behaviour: 'expired-cert', port: 465 },
];
/** An address where nothing listens on 587: refused. */
const CLOSED = `${NET}.40`;
const RELAYS = 8;
const PASSWORD = 'soak-Passw0rd!';

export interface SoakSample {
  cycle: number;
  rssBytes: number;
  fds: number;
}

export interface SoakResult {
  cycles: number;
  seconds: number;
  samples: SoakSample[];
  /** Cycles whose port statuses, counts or diagnosis differ from the first cycle's. */
  flapped: { cycle: number; summary: unknown }[];
  /** The first cycle's summary: what every cycle must repeat. */
  first: Record<string, unknown>;
  /** Per-attempt results from /status, first and last sample. */
  attemptsFirst: string[];
  attemptsLast: string[];
  errorLogs: Record<string, unknown>[];
  stderr: string;
}

export async function runSoak(cycles: number, sampleEvery: number): Promise<SoakResult> {
  const servers: Loopback[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'mxprobe-soak-'));
  try {
    servers.push(
      await realSmtpServer({ host: STABLE, port: 25 }),
      await realSmtpServer({ host: STABLE, port: 587 }),
      await realSmtpServer({ host: STABLE, port: 465, secure: true }),
    );
    for (const [i, { behaviour, port }] of HOSTILE.entries()) {
      servers.push(await hostileServer(behaviour, { host: `${NET}.${10 + i}`, port }));
    }
    const relay = await authEchoRelay({ host: `${NET}.30` });
    servers.push(relay);
    const listen = `127.0.0.1:${await freePort()}`;
    const config = join(dir, 'soak.yaml');
    writeFileSync(config, soakConfig(listen, relay.port));

    const daemon = spawnDaemon(['--config', config, '--min-interval', '10ms'], {
      env: { MXPROBE_SOAK_PASSWORD: PASSWORD },
    });
    const started = Date.now();
    const samples: SoakSample[] = [];
    const flapped: SoakResult['flapped'] = [];
    let attemptsFirst: string[] = [];
    let attemptsLast: string[] = [];
    try {
      const pid = daemon.child.pid ?? 0;
      let seen = -1;
      let first: Record<string, unknown> | undefined;
      for (let cycle = 1; cycle <= cycles; cycle += 1) {
        const event = await daemon.waitFor((e) => e.msg === 'probe cycle finished', {
          from: seen + 1,
          timeoutMs: 30_000,
        });
        seen = daemon.logs.indexOf(event);
        const summary = verdictOf(event);
        first ??= summary;
        if (JSON.stringify(summary) !== JSON.stringify(first)) flapped.push({ cycle, summary });
        if (cycle === 1 || cycle % sampleEvery === 0 || cycle === cycles) {
          samples.push({ cycle, rssBytes: rssOf(pid), fds: readdirSync(`/proc/${pid}/fd`).length });
          attemptsLast = await attemptsOf(listen);
          if (cycle === 1) attemptsFirst = attemptsLast;
        }
        // The log of a long soak would hold every line; what is checked is kept, the rest goes.
        if (daemon.logs.length > 10_000) {
          daemon.logs.splice(0, seen + 1);
          seen = -1;
        }
      }
      return {
        cycles,
        seconds: (Date.now() - started) / 1000,
        samples,
        flapped,
        first: first ?? {},
        attemptsFirst,
        attemptsLast,
        errorLogs: daemon.logs.filter((e) => e.level === 'error' || e.level === 'warn'),
        stderr: daemon.stderr(),
      };
    } finally {
      await daemon.stop();
    }
  } finally {
    await Promise.all(servers.map((s) => s.close()));
  }
}

/** Every attempt of a cycle and what it must be called, as in /status ("ADDR:PORT result/reason"). */
export function expectedAttempts(): string[] {
  return [
    ...[25, 587, 465].map((port) => `${STABLE}:${port} reachable/greeting`),
    ...HOSTILE.map(({ behaviour, port }, i) => {
      const { result, reason } = HOSTILE_VERDICTS[behaviour];
      return `${NET}.${10 + i}:${port} ${result}/${reason}`;
    }),
    `${CLOSED}:587 blocked/refused`,
  ].sort();
}

function soakConfig(listen: string, relayPort: number): string {
  const lines = [
    'interval: 10ms',
    `listen: "${listen}"`,
    'connectTimeout: 1s',
    'greetingTimeout: 2s',
    'hostSpacing: 1ms',
    'cloudDetection:',
    '  enabled: false',
    'targets:',
    `  - host: ${STABLE}`,
    '    ports: [25, 587, 465]',
    ...HOSTILE.flatMap(({ port }, i) => [`  - host: ${NET}.${10 + i}`, `    ports: [${port}]`]),
    `  - host: ${CLOSED}`,
    '    ports: [587]',
    'relays:',
    // Usernames of every length modulo 3, "resource|appId|tenantId" among them.
    ...Array.from({ length: RELAYS }, (_, i) => [
      `  - name: echo${i}`,
      `    host: ${NET}.30`,
      `    port: ${relayPort}`,
      '    secure: none',
      `    username: "${i === 0 ? 'resource|appId|tenantId' : 'u'.repeat(i)}"`,
      '    passwordEnv: MXPROBE_SOAK_PASSWORD',
    ]).flat(),
  ];
  return `${lines.join('\n')}\n`;
}

/** What must not change from cycle to cycle: statuses, counts and the diagnosis. */
function verdictOf(event: Record<string, unknown>): Record<string, unknown> {
  const { attempts, reachable, blocked, filtered, error, ports, diagnosis } = event;
  return { attempts, reachable, blocked, filtered, error, ports, diagnosis };
}

function rssOf(pid: number): number {
  const line = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(line?.[1] ?? 0) * 1024;
}

async function attemptsOf(listen: string): Promise<string[]> {
  const report = (await (await fetch(`http://${listen}/status`)).json()) as {
    attempts: { address: string; port: number; result: string; reason: string }[];
  };
  return report.attempts.map((a) => `${a.address}:${a.port} ${a.result}/${a.reason}`).sort();
}

/**
 * Node grows its heap to a steady size over the first cycles (about 110 MB of RSS after some
 * 100 cycles here, flat from then on); growth is judged after that.
 */
export const WARMUP_CYCLES = 100;

/** Median RSS and descriptors of the first and the last third of the cycles after warm-up. */
export interface SoakWindows {
  early: { rssBytes: number; fds: number; cycles: string };
  late: { rssBytes: number; fds: number; cycles: string };
}

export function soakWindows(result: SoakResult): SoakWindows {
  const span = result.cycles - WARMUP_CYCLES;
  const window = (from: number, to: number): SoakWindows['early'] => {
    const inside = result.samples.filter((s) => s.cycle > from && s.cycle <= to);
    return {
      rssBytes: median(inside.map((s) => s.rssBytes)),
      // Descriptors depend on where in a cycle a sample falls (attempt sockets in flight: 21–42
      // in one run); the floor between cycles is what a leak raises, one step per cycle.
      fds: Math.min(...inside.map((s) => s.fds)),
      cycles: `${from + 1}-${to}`,
    };
  };
  return {
    early: window(WARMUP_CYCLES, WARMUP_CYCLES + Math.floor(span / 3)),
    late: window(result.cycles - Math.floor(span / 3), result.cycles),
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** The figures a person reads: memory and descriptors early and late in the run. */
export function describeSoak(result: SoakResult): string {
  const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  const all = result.samples;
  const { early, late } = soakWindows(result);
  return [
    `soak: ${result.cycles} cycles in ${result.seconds.toFixed(0)} s (${((result.seconds * 1000) / result.cycles).toFixed(0)} ms a cycle), ${all.length} samples`,
    `  RSS: cycle 1 ${mb(all[0]?.rssBytes ?? 0)}; median of cycles ${early.cycles} ${mb(early.rssBytes)}; of cycles ${late.cycles} ${mb(late.rssBytes)}; max ${mb(Math.max(...all.map((s) => s.rssBytes)))}`,
    `  fds: cycle 1 ${all[0]?.fds ?? 0}; lowest of cycles ${early.cycles} ${early.fds}; of cycles ${late.cycles} ${late.fds}; max ${Math.max(...all.map((s) => s.fds))}`,
    `  verdict: ${JSON.stringify(result.first)}; cycles that differ: ${result.flapped.length}`,
    `  samples (cycle RSS-MB/fds): ${all.map((s) => `${s.cycle} ${(s.rssBytes / 1024 / 1024).toFixed(0)}/${s.fds}`).join(', ')}`,
  ].join('\n');
}
