// `npm run bench` (root, in the lab). Three parts, all by default (BENCH_PARTS=single,scale,daemon
// picks some):
// - single: one address on 25, dropped (`azure`) and lossy, against nmap and blackbox_exporter
//   (single.ts);
// - scale: one pass over N = 100, 500, 2000 hosts against nmap on the same hosts (scale.ts);
// - daemon: the daemon with 2000 attempts per cycle under 200 scrapes a second (daemon.ts);
// - footprint: the daemon's resident memory over 1,000 cycles of the shipped default's shape on
//   loopback, as the single executable (when release/ has one) and under node, beside a bare
//   Node.js doing nothing (footprint.ts; no lab).
// Exits 1 when mxprobe got an attempt wrong or a server saw a connection it should not have;
// the timing and memory goals are printed as met or not.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { InstanceNameError, labNamesFromEnv, type LabNames } from '../lab/instance.js';
import { Lab, MXPROBE_BIN, ownedMessage, REPO_ROOT } from '../lab/lab.js';
import { labPrerequisites } from '../lab/preflight.js';
import { SETTINGS } from '../src/config/settings.js';
import { VERSION } from '../src/package-root.js';
import { median, percentile, say } from './common.js';
import { footprintReport, idleNodeRssKiB, measureFootprint } from './footprint.js';
import { daemonReport, runDaemonAtScale } from './daemon.js';
import { runScale, scaleProblems, scaleReport, startScaleHosts, type ScaleHosts } from './scale.js';
import {
  BLACKBOX_BIN,
  singleTarget,
  startBlackbox,
  stopBlackbox,
  type Blackbox,
} from './single.js';

const PARTS = new Set((process.env.BENCH_PARTS ?? 'single,scale,daemon,footprint').split(','));
const FOOTPRINT_CYCLES = Number(process.env.BENCH_FOOTPRINT_CYCLES ?? 1_000);
/** The goal for the daemon with the shipped default's shape, over every cycle (issue text: MB). */
const GOAL_FOOTPRINT_MB = 64;
const SCALE_SIZES = (process.env.BENCH_SCALE_SIZES ?? '100,500,2000').split(',').map(Number);
const SCALE_RUNS = Number(process.env.BENCH_SCALE_RUNS ?? 3);
const NMAP_RUNS = Number(process.env.BENCH_NMAP_RUNS ?? 3);
const DAEMON_HOSTS = Number(process.env.BENCH_DAEMON_HOSTS ?? 1_000);
const DAEMON_RATE = Number(process.env.BENCH_DAEMON_RATE ?? 200);
const DAEMON_SECONDS = Number(process.env.BENCH_DAEMON_SECONDS ?? 25);
/** The goals at 500 hosts: within 3 connect budgets (process start included), under 150 MiB. */
const GOAL_HOSTS = 500;
const GOAL_BUDGETS = 3;
const GOAL_RSS_MIB = 150;
const GOAL_METRICS_P99_MS = 10;

const met = (ok: boolean): string => (ok ? 'met' : 'NOT met');

/** What a part found: goals met or not (printed), and wrong answers (exit status 1). */
interface PartFindings {
  goals: string[];
  problems: string[];
}

export async function main(): Promise<number> {
  const footprint: PartFindings = PARTS.has('footprint')
    ? await runFootprintAndGoals()
    : { goals: [], problems: [] };
  if (!['single', 'scale', 'daemon'].some((part) => PARTS.has(part)))
    return printFindings(footprint);
  const lab = openLab();
  if (typeof lab === 'number') return lab;
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
    if (PARTS.has('single')) await runSingle(lab, (b) => (blackbox = b));
    const findings: PartFindings = footprint;
    if (PARTS.has('scale') || PARTS.has('daemon')) {
      const needed = Math.max(
        PARTS.has('scale') ? Math.max(...SCALE_SIZES) : 0,
        PARTS.has('daemon') ? DAEMON_HOSTS : 0,
      );
      say(`starting ${needed} bench hosts in 198.18.0.0/15…`);
      const hosts = await startScaleHosts(lab, needed);
      if (PARTS.has('scale')) addFindings(findings, await runScaleAndGoals(lab, hosts));
      if (PARTS.has('daemon')) addFindings(findings, await runDaemonAndGoals(lab, hosts));
    }
    return printFindings(findings);
  } finally {
    await stopBlackboxAndWait(blackbox);
    teardown();
    process.off('exit', teardown);
  }
}

/** The lab instance (MXLAB_INSTANCE's, the default lab when unset), or the exit status. */
function openLab(): Lab | number {
  const missing = labPrerequisites();
  if (missing.length > 0) {
    process.stderr.write(`bench: cannot run here: ${missing.join('; ')}\n`);
    return 1;
  }
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
  return lab;
}

async function runSingle(lab: Lab, onBlackbox: (blackbox: Blackbox) => void): Promise<void> {
  const blackboxWorks = await lab.execInVm(['sh', '-c', `command -v ${BLACKBOX_BIN}`], {
    timeoutMs: 10_000,
  });
  if (blackboxWorks.code !== 0) {
    throw new Error(`${BLACKBOX_BIN} is missing (apt-get install prometheus-blackbox-exporter)`);
  }
  const bb = await startBlackbox(lab, onBlackbox);
  process.stdout.write(await singleTarget(lab, bb));
}

async function runScaleAndGoals(lab: Lab, hosts: ScaleHosts): Promise<PartFindings> {
  const results = await runScale(lab, hosts, SCALE_SIZES, SCALE_RUNS, NMAP_RUNS);
  process.stdout.write(`\n${scaleReport(results, SETTINGS.connectTimeout.default)}`);
  const findings: PartFindings = { goals: [], problems: scaleProblems(results) };
  const at = results.find((r) => r.hosts === GOAL_HOSTS);
  if (at === undefined) return findings;
  const wall = median(at.mxprobe.map((s) => s.wallMs));
  const limit = GOAL_BUDGETS * SETTINGS.connectTimeout.default;
  const rss = Math.max(...at.mxprobe.map((s) => s.rusage?.maxRssKiB ?? 0)) / 1024;
  const right = at.mxprobe.every((s) => s.right === 2 * GOAL_HOSTS);
  findings.goals.push(
    `${GOAL_HOSTS} hosts: median ${wall} ms ${met(wall <= limit)} (at most ${limit} ms); ` +
      `${right ? 'every run' : 'NOT every run'} ${2 * GOAL_HOSTS}/${2 * GOAL_HOSTS} right; ` +
      `peak RSS ${rss.toFixed(0)} MiB ${met(rss < GOAL_RSS_MIB)} (under ${GOAL_RSS_MIB} MiB)`,
  );
  return findings;
}

async function runDaemonAndGoals(lab: Lab, hosts: ScaleHosts): Promise<PartFindings> {
  say(`daemon at scale: ${2 * DAEMON_HOSTS} attempts per cycle…`);
  const r = await runDaemonAtScale(
    lab,
    hosts.addresses.slice(0, DAEMON_HOSTS),
    DAEMON_RATE,
    DAEMON_SECONDS,
  );
  process.stdout.write(`\n${daemonReport(r, DAEMON_RATE)}`);
  const p99 = percentile(
    r.duringCycles.map((x) => x.latencyMs),
    99,
  );
  const rss = r.peakRssKiB / 1024;
  const problems: string[] = [];
  if (r.cycles.length === 0) problems.push('daemon: no cycle finished under load');
  if (r.failed > 0) problems.push(`daemon: ${r.failed} /metrics requests failed`);
  const goal =
    `daemon, ${r.attemptsPerCycle} attempts per cycle: /metrics p99 ${p99.toFixed(1)} ms ` +
    `${met(p99 < GOAL_METRICS_P99_MS)} (under ${GOAL_METRICS_P99_MS} ms); peak RSS ` +
    `${rss.toFixed(0)} MiB ${met(rss < GOAL_RSS_MIB)} (under ${GOAL_RSS_MIB} MiB)`;
  return { goals: [goal], problems };
}

/** The daemon's RSS over many cycles, as the executable and under node, beside a bare node. */
async function runFootprintAndGoals(): Promise<PartFindings> {
  const goals: string[] = [];
  const problems: string[] = [];
  const floor = await idleNodeRssKiB();
  say(
    `footprint: a bare Node.js ${process.version} doing nothing holds ${(floor / 1024).toFixed(1)} MiB`,
  );
  const runs: [string, string[]][] = [['under node', [process.execPath, MXPROBE_BIN]]];
  const executable = releaseExecutable();
  if (executable === undefined)
    say('footprint: no release/ executable (npm run package makes one)');
  else runs.unshift(['as the executable', [executable]]);
  for (const [how, command] of runs) {
    say(`footprint: ${FOOTPRINT_CYCLES} cycles ${how}…`);
    const result = await measureFootprint(command, FOOTPRINT_CYCLES);
    process.stdout.write(`\nFootprint ${how}\n${footprintReport(result)}\n`);
    const maxMb = (Math.max(...result.samples.map((s) => s.rssKiB)) * 1024) / 1e6;
    goals.push(
      `footprint ${how}: max RSS ${maxMb.toFixed(1)} MB over ${FOOTPRINT_CYCLES} cycles, ` +
        `${(maxMb / ((floor * 1024) / 1e6)).toFixed(2)}x a bare node ` +
        `${met(maxMb <= GOAL_FOOTPRINT_MB)} (at most ${GOAL_FOOTPRINT_MB} MB)`,
    );
    if (result.differentCycles > 0)
      problems.push(`footprint ${how}: ${result.differentCycles} cycles differ from the first`);
  }
  return { goals, problems };
}

function addFindings(all: PartFindings, part: PartFindings): void {
  all.goals.push(...part.goals);
  all.problems.push(...part.problems);
}

/** Prints the goals and anything wrong; the exit status: 1 when something was wrong. */
function printFindings({ goals, problems }: PartFindings): number {
  if (goals.length > 0) process.stdout.write(`\nGoals\n${goals.map((g) => `  ${g}\n`).join('')}`);
  if (problems.length === 0) return 0;
  process.stdout.write(`\nWrong\n${problems.map((p) => `  ${p}\n`).join('')}`);
  return 1;
}

/** release/'s single executable for this machine, if `npm run package` made one. */
function releaseExecutable(): string | undefined {
  const file = join(REPO_ROOT, 'release', `mxprobe-${VERSION}-linux-${process.arch}`);
  return existsSync(file) ? file : undefined;
}

/** Waits for the exporter to be gone before the lab's teardown looks for namespace processes. */
async function stopBlackboxAndWait(blackbox: Blackbox | undefined): Promise<void> {
  const child = blackbox?.child;
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  stopBlackbox(blackbox);
  await exited;
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
