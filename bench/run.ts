// `npm run bench` (root, in the lab): how fast mxprobe reaches the verdict "port 25 filtered"
// on a silently dropping network (`azure`), compared with `nmap -sT -Pn -p25`, and how often
// each wrongly says "filtered" on a working but lossy path (`lossy`). Both tools run in the lab
// VM against the same lab address; wall-clock time includes process start, as a user sees it.

import { pathToFileURL } from 'node:url';
import { Lab, labOwner } from '../lab/lab.js';
import { labPrerequisites } from '../lab/preflight.js';
import { LOSS_PERCENT, type ScenarioName } from '../lab/scenarios.js';
import { findHost } from '../lab/zone.js';

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
    ['probe', '--once', '--json', '--no-cloud-detection', '--host', ADDRESS, '--ports', '25'],
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
  const owner = labOwner();
  if (owner !== undefined) {
    process.stderr.write(
      `bench: a lab is already up (started by pid ${owner}); wait for it, or: npm run lab -- down\n`,
    );
    return 1;
  }
  const lab = new Lab({ log: (line) => process.stderr.write(`lab: ${line}\n`) });
  const teardown = (): void => {
    lab.down();
  };
  process.once('exit', teardown);
  process.once('SIGINT', () => process.exit(130));
  process.once('SIGTERM', () => process.exit(143));
  try {
    await lab.up();
    const nmapWorks = await lab.execInVm(['nmap', '--version'], { timeoutMs: 10_000 });
    if (nmapWorks.code !== 0) throw new Error('nmap is missing (apt-get install nmap)');

    process.stderr.write(`bench: azure, ${AZURE_RUNS} runs each…\n`);
    const azure = {
      mxprobe: await sample(lab, 'azure', AZURE_RUNS, mxprobeOnce),
      nmap: await sample(lab, 'azure', AZURE_RUNS, nmapOnce),
    };
    process.stderr.write(`bench: lossy (${LOSS_PERCENT}% loss), ${LOSSY_RUNS} runs each…\n`);
    const lossy = {
      mxprobe: await sample(lab, 'lossy', LOSSY_RUNS, mxprobeOnce),
      nmap: await sample(lab, 'lossy', LOSSY_RUNS, nmapOnce),
    };

    const medMx = median(azure.mxprobe.map((s) => s.ms));
    const medNmap = median(azure.nmap.map((s) => s.ms));
    const rightMx = azure.mxprobe.filter((s) => s.verdict === 'filtered').length;
    const rightNmap = azure.nmap.filter((s) => s.verdict === 'filtered').length;
    const falseMx = lossy.mxprobe.filter((s) => s.verdict === 'filtered').length;
    const falseNmap = lossy.nmap.filter((s) => s.verdict === 'filtered').length;
    process.stdout.write(
      `\nTarget ${ADDRESS}:25 in the mxprobe lab (wall clock, process start included)\n\n` +
        table([
          ['', 'mxprobe', 'nmap -sT -Pn'],
          [`azure: median time to "filtered" (${AZURE_RUNS} runs)`, `${medMx} ms`, `${medNmap} ms`],
          [
            'azure: runs that said "filtered"',
            `${rightMx}/${AZURE_RUNS}`,
            `${rightNmap}/${AZURE_RUNS}`,
          ],
          [
            `lossy ${LOSS_PERCENT}%: false "filtered" (${LOSSY_RUNS} runs)`,
            `${falseMx}/${LOSSY_RUNS}`,
            `${falseNmap}/${LOSSY_RUNS}`,
          ],
          [
            `lossy ${LOSS_PERCENT}%: median time`,
            `${median(lossy.mxprobe.map((s) => s.ms))} ms`,
            `${median(lossy.nmap.map((s) => s.ms))} ms`,
          ],
        ]) +
        `\n\nratio mxprobe/nmap on azure: ${(medMx / medNmap).toFixed(2)}\n`,
    );
    return 0;
  } finally {
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
