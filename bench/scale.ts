// The bench at scale: N extra hosts in the RFC 2544 range 198.18.0.0/15 on the lab's internet
// namespace, each with a plain greeter on 587 (bench/greeter.ts) and port 25 silently dropped
// at the lab router (the `azure` scenario): 2N attempts, half of them silent. mxprobe probes
// them from the lab VM with a config file listing every host; `nmap -sT -Pn` probes the same
// hosts and ports. Every attempt must come out right, and no greeter may see a second
// connection from one attempt.

import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  lateConnections,
  parseConnectionLog,
  type ConnectionEvent,
} from '../lab/connection-log.js';
import { MXPROBE_BIN, REPO_ROOT, type Lab } from '../lab/lab.js';
import { addInetAddresses } from '../lab/topology.js';
import type { Report } from '../src/types.js';
import { median, RUSAGE_PREFIX, say, table, type Rusage } from './common.js';

const GREETER = join(REPO_ROOT, 'dist', 'bench', 'greeter.js');
const RUSAGE_HOOK = join(REPO_ROOT, 'dist', 'bench', 'rusage-hook.js');
export const GREETER_PORT = 587;
const DROPPED_PORT = 25;
const READY_TIMEOUT_MS = 30_000;

/** The n-th benchmark address (0-based): 198.18.0.1, …, 198.18.0.250, 198.18.1.1, … */
export function scaleAddress(index: number): string {
  return `198.18.${Math.floor(index / 250)}.${(index % 250) + 1}`;
}

export interface ScaleHosts {
  addresses: string[];
  connectionLog: string;
}

/** Puts `count` hosts on the internet namespace and starts their greeters. */
export async function startScaleHosts(lab: Lab, count: number): Promise<ScaleHosts> {
  const addresses = Array.from({ length: count }, (_, i) => scaleAddress(i));
  addInetAddresses(lab.names, addresses);
  const dir = lab.names.stateDir;
  const connectionLog = join(dir, 'bench-connections.jsonl');
  const configPath = join(dir, 'bench-greeter.json');
  const logPath = join(dir, 'bench-greeter.log');
  writeFileSync(configPath, JSON.stringify({ addresses, port: GREETER_PORT, connectionLog }));
  const fd = openSync(logPath, 'a');
  // In the internet namespace, in its own process group; lab.down() stops it with the rest.
  const child = spawn(
    'ip',
    ['netns', 'exec', lab.names.namespaces.inet, process.execPath, GREETER, configPath],
    { stdio: ['ignore', fd, fd], detached: true },
  );
  closeSync(fd);
  child.unref();
  const deadline = performance.now() + READY_TIMEOUT_MS;
  for (;;) {
    const text = existsSync(logPath) ? readFileSync(logPath, 'utf8') : '';
    if (/^ready /m.test(text)) return { addresses, connectionLog };
    if (child.exitCode !== null || performance.now() > deadline)
      throw new Error(`the bench greeters did not start: ${text.trim().slice(-1_000)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The config file that names every host, and the list nmap reads. */
export function writeHostSet(lab: Lab, hosts: readonly string[], label: string) {
  const config = join(lab.names.stateDir, `bench-${label}.yaml`);
  const list = join(lab.names.stateDir, `bench-${label}.txt`);
  writeFileSync(config, scaleConfigYaml(hosts));
  writeFileSync(list, `${hosts.join('\n')}\n`);
  return { config, list };
}

export function scaleConfigYaml(hosts: readonly string[], extra: string[] = []): string {
  return [
    '# mxprobe bench: every host on 25 (dropped) and 587 (a plain greeter)',
    'cloudDetection:',
    '  enabled: false',
    // A bench run never asks a DNSBL zone: only the lab's own DNS answers here.
    'reputation:',
    '  dnsbl: []',
    ...extra,
    'targets:',
    ...hosts.map((h) => `  - host: ${h}\n    ports: [${DROPPED_PORT}, ${GREETER_PORT}]`),
    '',
  ].join('\n');
}

interface MxprobeSample {
  wallMs: number;
  passMs: number;
  right: number;
  attempts: number;
  rusage: Rusage | undefined;
  /** Connections a greeter accepted after the attempt had its greeting. */
  late: string[];
  /** The most connections one greeter accepted in the run (one attempt each). */
  maxConnectionsPerHost: number;
}

function logSize(path: string): number {
  return existsSync(path) ? statSync(path).size : 0;
}

function eventsSince(path: string, offset: number): ConnectionEvent[] {
  return existsSync(path) ? parseConnectionLog(readFileSync(path).subarray(offset).toString()) : [];
}

export async function mxprobeScaleRun(
  lab: Lab,
  config: string,
  hosts: ScaleHosts,
): Promise<MxprobeSample> {
  const from = logSize(hosts.connectionLog);
  const run = await lab.execInVm(
    [process.execPath, '--import', RUSAGE_HOOK, MXPROBE_BIN, 'probe', '--once', '--json'].concat([
      '--config',
      config,
    ]),
    { timeoutMs: 600_000 },
  );
  let report: Report;
  try {
    report = JSON.parse(run.stdout) as Report;
  } catch (error) {
    throw new Error(`mxprobe gave no report (exit ${String(run.code)}): ${run.stderr.trim()}`, {
      cause: error,
    });
  }
  const right = report.attempts.filter((a) =>
    a.port === DROPPED_PORT
      ? a.result === 'filtered' && a.reason === 'timeout'
      : a.result === 'reachable' && a.reason === 'greeting',
  ).length;
  const usage = run.stderr
    .split('\n')
    .find((line) => line.startsWith(RUSAGE_PREFIX))
    ?.slice(RUSAGE_PREFIX.length);
  await new Promise((resolve) => setTimeout(resolve, 250)); // the greeters' last records
  const events = eventsSince(hosts.connectionLog, from);
  const perHost = new Map<string, number>();
  for (const e of events)
    if (e.event === 'accept') perHost.set(e.listener, (perHost.get(e.listener) ?? 0) + 1);
  return {
    wallMs: run.durationMs,
    passMs: report.durationMs,
    right,
    attempts: report.attempts.length,
    rusage: usage === undefined ? undefined : (JSON.parse(usage) as Rusage),
    late: lateConnections(events),
    maxConnectionsPerHost: Math.max(0, ...perHost.values()),
  };
}

interface NmapSample {
  wallMs: number;
  right: number;
  attempts: number;
}

export async function nmapScaleRun(lab: Lab, list: string, count: number): Promise<NmapSample> {
  const run = await lab.execInVm(
    ['nmap', '-n', '-sT', '-Pn', `-p${DROPPED_PORT},${GREETER_PORT}`, '-iL', list, '-oG', '-'],
    { timeoutMs: 1_800_000 },
  );
  let right = 0;
  for (const line of run.stdout.split('\n').filter((l) => l.includes('Ports:'))) {
    if (new RegExp(`\\b${DROPPED_PORT}/filtered/`).test(line)) right += 1;
    if (new RegExp(`\\b${GREETER_PORT}/open/`).test(line)) right += 1;
  }
  return { wallMs: run.durationMs, right, attempts: 2 * count };
}

export interface ScaleResult {
  hosts: number;
  mxprobe: MxprobeSample[];
  nmap: NmapSample[];
}

export async function runScale(
  lab: Lab,
  hosts: ScaleHosts,
  sizes: readonly number[],
  runs: number,
  nmapRuns: number,
): Promise<ScaleResult[]> {
  lab.apply('azure');
  const results: ScaleResult[] = [];
  for (const n of sizes) {
    const set = writeHostSet(lab, hosts.addresses.slice(0, n), String(n));
    const result: ScaleResult = { hosts: n, mxprobe: [], nmap: [] };
    for (let i = 0; i < runs; i++) {
      const sample = await mxprobeScaleRun(lab, set.config, hosts);
      say(
        `scale N=${n} mxprobe run ${i + 1}: ${sample.wallMs} ms, ${sample.right}/${sample.attempts} right`,
      );
      result.mxprobe.push(sample);
    }
    for (let i = 0; i < nmapRuns; i++) {
      const sample = await nmapScaleRun(lab, set.list, n);
      say(
        `scale N=${n} nmap run ${i + 1}: ${sample.wallMs} ms, ${sample.right}/${sample.attempts} right`,
      );
      result.nmap.push(sample);
    }
    results.push(result);
  }
  return results;
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

export function scaleReport(results: readonly ScaleResult[], connectTimeoutMs: number): string {
  const rows = [
    [
      'hosts',
      'attempts',
      'mxprobe median',
      'best',
      'pass median',
      'budgets',
      'peak RSS',
      'CPU',
      'right (all runs)',
      'nmap best',
      'nmap median',
      'nmap right',
    ],
  ];
  for (const r of results) {
    const walls = r.mxprobe.map((s) => s.wallMs);
    const rss = Math.max(...r.mxprobe.map((s) => s.rusage?.maxRssKiB ?? 0));
    const cpu = median(r.mxprobe.map((s) => (s.rusage?.userMs ?? 0) + (s.rusage?.systemMs ?? 0)));
    const nmapWalls = r.nmap.map((s) => s.wallMs);
    rows.push([
      String(r.hosts),
      String(2 * r.hosts),
      seconds(median(walls)),
      seconds(Math.min(...walls)),
      seconds(median(r.mxprobe.map((s) => s.passMs))),
      (median(walls) / connectTimeoutMs).toFixed(1),
      `${(rss / 1024).toFixed(0)} MiB`,
      seconds(cpu),
      `${sum(r.mxprobe.map((s) => s.right))}/${sum(r.mxprobe.map((s) => s.attempts))}`,
      nmapWalls.length > 0 ? seconds(Math.min(...nmapWalls)) : '-',
      nmapWalls.length > 0 ? seconds(median(nmapWalls)) : '-',
      `${sum(r.nmap.map((s) => s.right))}/${sum(r.nmap.map((s) => s.attempts))}`,
    ]);
  }
  const first = results[0];
  const last = results[results.length - 1];
  const growth =
    first && last && first !== last
      ? `\nFrom ${first.hosts} to ${last.hosts} hosts (${(last.hosts / first.hosts).toFixed(0)}×), ` +
        `mxprobe's median time grows ${(median(last.mxprobe.map((s) => s.wallMs)) / median(first.mxprobe.map((s) => s.wallMs))).toFixed(1)}× ` +
        `(pass ${(median(last.mxprobe.map((s) => s.passMs)) / median(first.mxprobe.map((s) => s.passMs))).toFixed(1)}×).`
      : '';
  return (
    `Scale: N hosts in 198.18.0.0/15, 25 dropped and 587 greeting (wall clock, process start ` +
    `included; budgets = median / ${connectTimeoutMs} ms connect timeout; CPU = user + system)\n\n` +
    table(rows) +
    growth +
    '\n'
  );
}

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

/** What must hold for mxprobe at every size: attempts right, one connection per attempt. */
export function scaleProblems(results: readonly ScaleResult[]): string[] {
  return results.flatMap((r) =>
    r.mxprobe.flatMap((s, i) => [
      ...(s.right === s.attempts && s.attempts === 2 * r.hosts
        ? []
        : [`N=${r.hosts} run ${i + 1}: mxprobe got ${s.right}/${2 * r.hosts} attempts right`]),
      ...(s.maxConnectionsPerHost > 1
        ? [`N=${r.hosts} run ${i + 1}: a greeter saw ${s.maxConnectionsPerHost} connections`]
        : []),
      ...s.late.map((line) => `N=${r.hosts} run ${i + 1}: ${line}`),
    ]),
  );
}
