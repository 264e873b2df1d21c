// The single-target part of the bench: how fast mxprobe reaches the verdict "port 25 filtered"
// on a silently dropping network (`azure`), compared with `nmap -sT -Pn -p25` and with
// prometheus/blackbox_exporter's TCP prober, and how often each wrongly says "filtered" on a
// working but lossy path (`lossy`). All three run in the lab VM against the same lab address;
// wall-clock time includes process start for mxprobe and nmap, as a user sees it. The exporter
// is a long-running service, so its start is not timed: a run is one HTTP /probe request.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Lab } from '../lab/lab.js';
import { LOSS_PERCENT, type ScenarioName } from '../lab/scenarios.js';
import { findHost, LAB_DNSBL_ZONES } from '../lab/zone.js';
import { freeVmPort, median, say, table } from './common.js';

const ADDRESS = findHost('mx1.alpha.example').ipv4;
const AZURE_RUNS = Number(process.env.BENCH_AZURE_RUNS ?? 5);
const LOSSY_RUNS = Number(process.env.BENCH_LOSSY_RUNS ?? 20);

type Verdict = 'open' | 'filtered' | 'closed' | 'other';

interface Sample {
  ms: number;
  verdict: Verdict;
}

async function mxprobeOnce(lab: Lab): Promise<Sample> {
  const run = await lab.mxprobe(
    [
      'probe',
      '--once',
      '--json',
      '--no-cloud-detection',
      // The lab's own zones: a bench run never asks a real DNSBL.
      '--dnsbl',
      LAB_DNSBL_ZONES.join(','),
      '--host',
      ADDRESS,
      '--ports',
      '25',
    ],
    {
      timeoutMs: 60_000,
    },
  );
  const report = JSON.parse(run.stdout) as { attempts: Array<{ result: string }> };
  const result = report.attempts[0]?.result;
  const verdict: Verdict =
    result === 'reachable'
      ? 'open'
      : result === 'filtered'
        ? 'filtered'
        : result === 'blocked'
          ? 'closed'
          : 'other';
  return { ms: run.durationMs, verdict };
}

async function nmapOnce(lab: Lab): Promise<Sample> {
  const run = await lab.execInVm(['nmap', '-n', '-sT', '-Pn', '-p25', ADDRESS], {
    timeoutMs: 60_000,
  });
  const state = /^25\/tcp\s+(\S+)/m.exec(run.stdout)?.[1];
  const verdict: Verdict =
    state === 'open'
      ? 'open'
      : state === 'filtered'
        ? 'filtered'
        : state === 'closed'
          ? 'closed'
          : 'other';
  return { ms: run.durationMs, verdict };
}

export const BLACKBOX_BIN = 'prometheus-blackbox-exporter';
const BLACKBOX_MODULE = 'smtp_banner';
/**
 * The blackbox equivalent of an SMTP banner check on port 25. `timeout: 5s` is the value
 * blackbox_exporter's own examples and most published SMTP modules use; it is the setting
 * behind the 5.6 s "filtered" figure the comparison is about. Without a Prometheus scrape
 * timeout header (a plain HTTP GET, as here) the exporter uses the module's timeout as is.
 */
const BLACKBOX_CONFIG = `modules:
  ${BLACKBOX_MODULE}:
    prober: tcp
    timeout: 5s
    tcp:
      preferred_ip_protocol: ip4
      query_response:
        - expect: "^220"
        - send: "QUIT"
`;

/** A blackbox_exporter running inside the lab VM namespace, and how to ask it for a probe. */
export interface Blackbox {
  child: ChildProcess;
  url: string;
  /** argv (run in the VM) that prints the body of an HTTP GET of its argument. */
  get: (url: string) => string[];
  configDir: string;
}

/**
 * Starts blackbox_exporter inside the VM namespace, so its probes cross the lab router as
 * mxprobe's and nmap's do; it listens on the namespace's own loopback only.
 */
export async function startBlackbox(lab: Lab, started: (b: Blackbox) => void): Promise<Blackbox> {
  const hasCurl = await lab.execInVm(['sh', '-c', 'command -v curl'], { timeoutMs: 10_000 });
  const get =
    hasCurl.code === 0
      ? (url: string): string[] => ['curl', '-sS', '--noproxy', '*', '--max-time', '60', url]
      : (url: string): string[] => [
          process.execPath,
          '-e',
          'fetch(process.argv[1]).then((r) => r.text()).then((t) => process.stdout.write(t));',
          url,
        ];
  const port = await freeVmPort(lab);
  const configDir = mkdtempSync(join(tmpdir(), 'mxprobe-bench-'));
  const configFile = join(configDir, 'blackbox.yml');
  writeFileSync(configFile, BLACKBOX_CONFIG);
  const child = spawn(
    'ip',
    [
      'netns',
      'exec',
      lab.names.namespaces.vm,
      BLACKBOX_BIN,
      `--config.file=${configFile}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { env: lab.vmEnv(), stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const blackbox: Blackbox = { child, url: `http://127.0.0.1:${port}`, get, configDir };
  // Registered before waiting, so a failed start is cleaned up like any other exit.
  started(blackbox);
  const spawnError = new Promise<never>((_, reject) => child.once('error', reject));
  const deadline = performance.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${BLACKBOX_BIN} exited at start: ${stderr.trim().slice(-2_000)}`);
    }
    const health = await Promise.race([
      lab.execInVm(get(`${blackbox.url}/-/healthy`), { timeoutMs: 5_000 }),
      spawnError,
    ]);
    if (health.code === 0 && /healthy/i.test(health.stdout)) return blackbox;
    if (performance.now() > deadline) {
      throw new Error(`${BLACKBOX_BIN} not ready within 10 s: ${stderr.trim().slice(-2_000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Kills the exporter (synchronously, so it also works from an `exit` handler) and its config. */
export function stopBlackbox(blackbox: Blackbox | undefined): void {
  if (blackbox === undefined) return;
  const { child } = blackbox;
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(blackbox.configDir, { recursive: true, force: true });
}

function blackboxOnce(blackbox: Blackbox): (lab: Lab) => Promise<Sample> {
  const url = `${blackbox.url}/probe?module=${BLACKBOX_MODULE}&target=${ADDRESS}:25`;
  return async (lab) => {
    const run = await lab.execInVm(blackbox.get(url), { timeoutMs: 60_000 });
    const success = /^probe_success (\S+)$/m.exec(run.stdout)?.[1];
    // blackbox only says whether the check passed: a dropped SYN, a reset and a wrong banner
    // are all `probe_success 0`. So "filtered" here means "failed", which on `azure` can only
    // be the drop and on `lossy` is a false "filtered" whatever the cause.
    const verdict: Verdict = success === '1' ? 'open' : success === '0' ? 'filtered' : 'other';
    return { ms: run.durationMs, verdict };
  };
}

async function sample(
  lab: Lab,
  scenario: ScenarioName,
  runs: number,
  once: (lab: Lab) => Promise<Sample>,
): Promise<Sample[]> {
  lab.apply(scenario);
  const samples: Sample[] = [];
  for (let i = 0; i < runs; i++) samples.push(await once(lab));
  return samples;
}

/** The single-target comparison (azure and lossy) as a printed table. */
export async function singleTarget(lab: Lab, bb: Blackbox): Promise<string> {
  say(`azure, ${AZURE_RUNS} runs each…`);
  const azure = {
    mxprobe: await sample(lab, 'azure', AZURE_RUNS, mxprobeOnce),
    nmap: await sample(lab, 'azure', AZURE_RUNS, nmapOnce),
    blackbox: await sample(lab, 'azure', AZURE_RUNS, blackboxOnce(bb)),
  };
  say(`lossy (${LOSS_PERCENT}% loss), ${LOSSY_RUNS} runs each…`);
  const lossy = {
    mxprobe: await sample(lab, 'lossy', LOSSY_RUNS, mxprobeOnce),
    nmap: await sample(lab, 'lossy', LOSSY_RUNS, nmapOnce),
    blackbox: await sample(lab, 'lossy', LOSSY_RUNS, blackboxOnce(bb)),
  };
  const medMx = median(azure.mxprobe.map((s) => s.ms));
  const medNmap = median(azure.nmap.map((s) => s.ms));
  const medBb = median(azure.blackbox.map((s) => s.ms));
  const filtered = (samples: Sample[]): number =>
    samples.filter((s) => s.verdict === 'filtered').length;
  return (
    `\nTarget ${ADDRESS}:25 in the mxprobe lab (wall clock, process start included)\n\n` +
    table([
      ['', 'mxprobe', 'nmap -sT -Pn', 'blackbox_exporter'],
      [
        `azure: median time to "filtered" (${AZURE_RUNS} runs)`,
        `${medMx} ms`,
        `${medNmap} ms`,
        `${medBb} ms`,
      ],
      [
        'azure: runs that said "filtered"',
        `${filtered(azure.mxprobe)}/${AZURE_RUNS}`,
        `${filtered(azure.nmap)}/${AZURE_RUNS}`,
        `${filtered(azure.blackbox)}/${AZURE_RUNS}`,
      ],
      [
        `lossy ${LOSS_PERCENT}%: false "filtered" (${LOSSY_RUNS} runs)`,
        `${filtered(lossy.mxprobe)}/${LOSSY_RUNS}`,
        `${filtered(lossy.nmap)}/${LOSSY_RUNS}`,
        `${filtered(lossy.blackbox)}/${LOSSY_RUNS}`,
      ],
      [
        `lossy ${LOSS_PERCENT}%: median time`,
        `${median(lossy.mxprobe.map((s) => s.ms))} ms`,
        `${median(lossy.nmap.map((s) => s.ms))} ms`,
        `${median(lossy.blackbox.map((s) => s.ms))} ms`,
      ],
    ]) +
    `\n\nratio mxprobe/nmap on azure: ${(medMx / medNmap).toFixed(2)}\n` +
    `ratio mxprobe/blackbox_exporter on azure: ${(medMx / medBb).toFixed(2)}\n`
  );
}
