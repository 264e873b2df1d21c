// `npm run bench` (root, in the lab): how fast mxprobe reaches the verdict "port 25 filtered"
// on a silently dropping network (`azure`), compared with `nmap -sT -Pn -p25` and with
// prometheus/blackbox_exporter's TCP prober, and how often each wrongly says "filtered" on a
// working but lossy path (`lossy`). All three run in the lab VM against the same lab address;
// wall-clock time includes process start for mxprobe and nmap, as a user sees it. The exporter
// is a long-running service, so its start is not timed: a run is one HTTP /probe request.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { InstanceNameError, labNamesFromEnv, type LabNames } from '../lab/instance.js';
import { Lab, ownedMessage } from '../lab/lab.js';
import { labPrerequisites } from '../lab/preflight.js';
import { LOSS_PERCENT, type ScenarioName } from '../lab/scenarios.js';
import { findHost, LAB_DNSBL_ZONES } from '../lab/zone.js';

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

const BLACKBOX_BIN = 'prometheus-blackbox-exporter';
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
interface Blackbox {
  child: ChildProcess;
  url: string;
  /** argv (run in the VM) that prints the body of an HTTP GET of its argument. */
  get: (url: string) => string[];
  configDir: string;
}

/** A TCP port nobody listens on in the VM namespace, found by letting the kernel pick one. */
async function freeVmPort(lab: Lab): Promise<number> {
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

/**
 * Starts blackbox_exporter inside the VM namespace, so its probes cross the lab router as
 * mxprobe's and nmap's do; it listens on the namespace's own loopback only.
 */
async function startBlackbox(lab: Lab, started: (b: Blackbox) => void): Promise<Blackbox> {
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
function stopBlackbox(blackbox: Blackbox | undefined): void {
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

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
};

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

function table(rows: string[][]): string {
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

export async function main(): Promise<number> {
  const missing = labPrerequisites();
  if (missing.length > 0) {
    process.stderr.write(`bench: cannot run here: ${missing.join('; ')}\n`);
    return 1;
  }
  // The lab instance is MXLAB_INSTANCE's (the default lab when unset).
  let names: LabNames;
  try {
    names = labNamesFromEnv();
  } catch (error) {
    if (!(error instanceof InstanceNameError)) throw error;
    process.stderr.write(`bench: ${error.message}\n`);
    return 2;
  }
  const lab = new Lab({ names, log: (line) => process.stderr.write(`lab: ${line}\n`) });
  const owner = lab.owner();
  if (owner !== undefined) {
    process.stderr.write(`bench: ${ownedMessage(lab.names, owner)}\n`);
    return 1;
  }
  let blackbox: Blackbox | undefined;
  // The exporter first: lab.down() would stop it too (it stops everything in the namespaces),
  // but only after a grace period meant for services that shut down cleanly.
  const teardown = (): void => {
    stopBlackbox(blackbox);
    lab.down();
  };
  process.once('exit', teardown);
  process.once('SIGINT', () => process.exit(130));
  process.once('SIGTERM', () => process.exit(143));
  try {
    await lab.up();
    const nmapWorks = await lab.execInVm(['nmap', '--version'], { timeoutMs: 10_000 });
    if (nmapWorks.code !== 0) throw new Error('nmap is missing (apt-get install nmap)');
    const blackboxWorks = await lab.execInVm(['sh', '-c', `command -v ${BLACKBOX_BIN}`], {
      timeoutMs: 10_000,
    });
    if (blackboxWorks.code !== 0) {
      throw new Error(`${BLACKBOX_BIN} is missing (apt-get install prometheus-blackbox-exporter)`);
    }
    const bb = await startBlackbox(lab, (b) => (blackbox = b));

    process.stderr.write(`bench: azure, ${AZURE_RUNS} runs each…\n`);
    const azure = {
      mxprobe: await sample(lab, 'azure', AZURE_RUNS, mxprobeOnce),
      nmap: await sample(lab, 'azure', AZURE_RUNS, nmapOnce),
      blackbox: await sample(lab, 'azure', AZURE_RUNS, blackboxOnce(bb)),
    };
    process.stderr.write(`bench: lossy (${LOSS_PERCENT}% loss), ${LOSSY_RUNS} runs each…\n`);
    const lossy = {
      mxprobe: await sample(lab, 'lossy', LOSSY_RUNS, mxprobeOnce),
      nmap: await sample(lab, 'lossy', LOSSY_RUNS, nmapOnce),
      blackbox: await sample(lab, 'lossy', LOSSY_RUNS, blackboxOnce(bb)),
    };

    const medMx = median(azure.mxprobe.map((s) => s.ms));
    const medNmap = median(azure.nmap.map((s) => s.ms));
    const medBb = median(azure.blackbox.map((s) => s.ms));
    const rightMx = azure.mxprobe.filter((s) => s.verdict === 'filtered').length;
    const rightNmap = azure.nmap.filter((s) => s.verdict === 'filtered').length;
    const rightBb = azure.blackbox.filter((s) => s.verdict === 'filtered').length;
    const falseMx = lossy.mxprobe.filter((s) => s.verdict === 'filtered').length;
    const falseNmap = lossy.nmap.filter((s) => s.verdict === 'filtered').length;
    const falseBb = lossy.blackbox.filter((s) => s.verdict === 'filtered').length;
    process.stdout.write(
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
            `${rightMx}/${AZURE_RUNS}`,
            `${rightNmap}/${AZURE_RUNS}`,
            `${rightBb}/${AZURE_RUNS}`,
          ],
          [
            `lossy ${LOSS_PERCENT}%: false "filtered" (${LOSSY_RUNS} runs)`,
            `${falseMx}/${LOSSY_RUNS}`,
            `${falseNmap}/${LOSSY_RUNS}`,
            `${falseBb}/${LOSSY_RUNS}`,
          ],
          [
            `lossy ${LOSS_PERCENT}%: median time`,
            `${median(lossy.mxprobe.map((s) => s.ms))} ms`,
            `${median(lossy.nmap.map((s) => s.ms))} ms`,
            `${median(lossy.blackbox.map((s) => s.ms))} ms`,
          ],
        ]) +
        `\n\nratio mxprobe/nmap on azure: ${(medMx / medNmap).toFixed(2)}\n` +
        `ratio mxprobe/blackbox_exporter on azure: ${(medMx / medBb).toFixed(2)}\n`,
    );
    return 0;
  } finally {
    // Wait for the exporter to be gone before the lab's teardown looks for namespace processes.
    const child = blackbox?.child;
    if (child !== undefined && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      stopBlackbox(blackbox);
      await exited;
    }
    teardown();
    process.off('exit', teardown);
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
