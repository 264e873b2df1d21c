// What the lab tests share: the lab (brought up by global-setup.ts), running the built
// mxprobe inside the VM namespace the way a user would, keeping what the user would see, plain
// socket and DNS checks from a VM, and the `npm run lab` front end.

import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { lateConnections, parseConnectionLog } from '../../lab/connection-log.js';
import { Lab, REPO_ROOT, type ExecResult } from '../../lab/lab.js';
import type { ScenarioName } from '../../lab/scenarios.js';
import { LAB_DNSBL_ZONES } from '../../lab/zone.js';
import type { Attempt, Report } from '../../src/types.js';

/** The suite's lab: the instance MXLAB_INSTANCE names, brought up by global-setup.ts. */
export const lab = new Lab();

/** The lab's probe set: three providers' MX hosts on 25, their submission hosts on 587/465. */
export const LAB_PROBE_SET = ['--config', lab.paths.probeSet];

/**
 * Every run checks the lab's own DNSBL zones (the probe set names them too; a run with target
 * flags only would otherwise use the default public zones, which no test may query).
 */
export const LAB_DNSBL = ['--dnsbl', LAB_DNSBL_ZONES.join(',')];

export interface JsonRun extends ExecResult {
  report: Report;
  /** From the end of the pass (the report's startedAt + durationMs) to the process's exit. */
  exitLagMs: number;
  /** Connections a lab server accepted from an attempt that already had its greeting. */
  lateConnections: string[];
}

/** How long to let the servers record the last connections of a run before reading them. */
const CONNECTION_LOG_SETTLE_MS = 250;

/** `mxprobe probe --once --json ARGS` in the VM; stdout must be exactly one JSON document. */
export async function probeJson(args: string[]): Promise<JsonRun> {
  const logFrom = connectionLogSize();
  const run = await lab.mxprobe(['probe', '--once', '--json', ...LAB_DNSBL, ...args], {
    env: { NO_COLOR: '1' },
    timeoutMs: 120_000,
  });
  let report: Report;
  try {
    report = JSON.parse(run.stdout) as Report;
  } catch (error) {
    throw new Error(
      `stdout is not one JSON document (exit ${String(run.code)}):\n${run.stdout}\n${run.stderr}`,
      { cause: error },
    );
  }
  const passEnd = Date.parse(report.startedAt) + report.durationMs;
  await new Promise((resolve) => setTimeout(resolve, CONNECTION_LOG_SETTLE_MS));
  return {
    ...run,
    report,
    exitLagMs: run.exitedAt - passEnd,
    lateConnections: lateConnections(connectionLogSince(logFrom)),
  };
}

function connectionLogSize(): number {
  return existsSync(lab.paths.connections) ? statSync(lab.paths.connections).size : 0;
}

function connectionLogSince(offset: number) {
  if (!existsSync(lab.paths.connections)) return [];
  return parseConnectionLog(readFileSync(lab.paths.connections).subarray(offset).toString());
}

/** `mxprobe probe --once ARGS` in the VM, human output, no colour (not a TTY, NO_COLOR set). */
export function probeHuman(args: string[]): Promise<ExecResult> {
  return lab.mxprobe(['probe', '--once', ...LAB_DNSBL, ...args], {
    env: { NO_COLOR: '1' },
    timeoutMs: 120_000,
  });
}

export function applyScenario(name: ScenarioName): void {
  lab.apply(name);
}

/** An attempt as one readable line, so a failing assertion shows the whole picture. */
export const describeAttempt = (a: Attempt): string =>
  `${a.host} ${a.address} ${a.port} → ${a.result}/${a.reason}${a.errorCode ? ` (${a.errorCode})` : ''}`;

/** Asserts that every attempt has the result and reason `expected` gives for it. */
export function expectAttempts(
  report: Report,
  expected: (a: Attempt) => [Attempt['result'], Attempt['reason']],
): void {
  const actual = report.attempts.map(describeAttempt);
  const wanted = report.attempts.map((a) => {
    const [result, reason] = expected(a);
    return describeAttempt({ ...a, result, reason });
  });
  // errorCode is shown on both sides as the run reported it; only result/reason are compared.
  expect(actual).toEqual(wanted);
}

export function portStatuses(report: Report): Record<number, string> {
  return Object.fromEntries(report.ports.map((p) => [p.port, p.status]));
}

/** A bare connect from the VM: "connected", Node's error code, or "timeout". */
const CONNECT = `
const net = require('node:net');
const [host, port] = process.argv.slice(1);
const s = net.connect({ host, port: Number(port) });
const done = (what) => { process.stdout.write(what); s.destroy(); };
s.setTimeout(3000, () => done('timeout'));
s.on('connect', () => done('connected'));
s.on('error', (e) => done(e.code));
`;

/** A plain TCP connect from a lab's VM, without mxprobe. */
export async function connectFrom(from: Lab, address: string, port: number): Promise<string> {
  const run = await from.execInVm([process.execPath, '-e', CONNECT, address, String(port)], {
    timeoutMs: 10_000,
  });
  return run.stdout;
}

/** A DNS question from the VM through its system resolver; prints the answer as JSON or the error code. */
const ASK = `
const { Resolver } = require('node:dns').promises;
const [type, name] = process.argv.slice(1);
// The system resolver's servers (resolv.conf), with a short budget so a dead server shows fast.
new Resolver({ timeout: 1000, tries: 2 }).resolve(name, type).then((r) => process.stdout.write(JSON.stringify(r)), (e) => process.stdout.write(e.code));
`;

/** A DNS question from a lab's VM: the answer, or the error code (ENOTFOUND, ETIMEOUT...). */
export async function askFrom(from: Lab, type: string, name: string): Promise<unknown> {
  const run = await from.execInVm([process.execPath, '-e', ASK, type, name], {
    timeoutMs: 10_000,
  });
  return run.stdout.startsWith('[') ? (JSON.parse(run.stdout) as unknown) : run.stdout;
}

const CLI = join(REPO_ROOT, 'dist', 'lab', 'cli.js');

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * `npm run lab -- ARGS` (the built front end, without the npm wrapper), with this process's
 * environment and so MXLAB_INSTANCE's lab unless ARGS or `env` say otherwise.
 */
export function runCli(
  args: string[],
  options: { input?: string; interruptWhen?: RegExp; env?: Record<string, string> } = {},
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1', ...options.env },
    });
    let stdout = '';
    let stderr = '';
    let interrupted = false;
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => {
      stderr += s;
      if (options.interruptWhen && !interrupted && options.interruptWhen.test(stderr)) {
        interrupted = true;
        child.kill('SIGINT');
      }
    });
    child.stdin.end(options.input ?? '');
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** Asserts that nothing of the given lab instance exists: namespaces, links, processes, files. */
export function expectNothingLeft(of: Lab = lab): void {
  const left = of.leftovers();
  expect({
    namespaces: left.namespaces,
    links: left.links,
    pids: left.pids,
    files: left.files,
  }).toEqual({
    namespaces: [],
    links: [],
    pids: [],
    files: [],
  });
}
