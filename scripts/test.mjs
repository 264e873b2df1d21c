// `npm test`: sets up what is missing, builds, then runs every test suite (vitest project). The
// root, lab and system suites need root; without it the pure and loopback suites still run and
// this says plainly that the others did not. As root (and in CI), a suite that cannot run is a
// failure, never a skip.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { build, ensureAptPackages, ensureNodeModules, isRoot } from './ensure-deps.mjs';

/** Each suite and the folder of its test files (vitest.config.ts). */
const SUITES = {
  pure: 'test/unit/',
  loopback: 'test/loopback/',
  root: 'test/root/',
  lab: 'test/lab/',
  system: 'test/system/',
};
const WITHOUT_ROOT = ['pure', 'loopback'];

process.chdir(new URL('..', import.meta.url).pathname);
ensureNodeModules();
const missing = ensureAptPackages();
build();

const inCi = process.env.CI === 'true' || process.env.CI === '1';
const blocker = !isRoot()
  ? 'they need root (network namespaces, nftables, ports below 1024, containers); run `sudo npm test` to include them'
  : missing.length > 0
    ? `these Debian packages are missing: ${missing.join(', ')}`
    : undefined;
// Without root the suites that need it are left out on purpose; with root nothing may be.
const mustRunAll = isRoot() || inCi;
if (blocker && mustRunAll) {
  process.stderr.write(`test: the root, lab and system suites cannot run: ${blocker}\n`);
  process.exit(1);
}
const planned = blocker ? WITHOUT_ROOT : Object.keys(SUITES);
const userArgs = process.argv.slice(2);
const results = join(mkdtempSync(join(tmpdir(), 'mxprobe-test-')), 'results.json');
const args = [
  'vitest',
  'run',
  ...planned.flatMap((suite) => ['--project', suite]),
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${results}`,
  ...userArgs,
];
const run = spawnSync('npx', args, { stdio: 'inherit' });
if (blocker) {
  process.stderr.write(
    `\ntest: the root, lab and system suites (test/root, test/lab, test/system) did NOT run: ${blocker}.\n`,
  );
}

const totals = existsSync(results) ? JSON.parse(readFileSync(results, 'utf8')) : undefined;
const ran = suitesThatRan(totals);
// Arguments (a file, a name filter) narrow the run on purpose: then no suite is owed.
const notRun = userArgs.length > 0 ? [] : planned.filter((suite) => !ran.includes(suite));
if (notRun.length > 0)
  process.stderr.write(`test: these suites could not run: ${notRun.join(', ')}\n`);
// One plain closing line with the totals, for people and for tools that read it.
const passed = totals?.numPassedTests ?? 0;
const failed = totals?.numFailedTests ?? 0;
const skipped = (totals?.numPendingTests ?? 0) + (totals?.numTodoTests ?? 0);
process.stdout.write(
  `tests: ${passed} passed, ${failed} failed, ${skipped} skipped; ` +
    `${ran.length} of ${Object.keys(SUITES).length} suites ran (${ran.join(', ') || 'none'})\n`,
);
process.exit(notRun.length > 0 && mustRunAll ? 1 : (run.status ?? 1));

/** The suites with at least one test that passed or failed (not only skipped or never reached). */
function suitesThatRan(report) {
  const files = (report?.testResults ?? []).filter((file) =>
    (file.assertionResults ?? []).some((t) => t.status === 'passed' || t.status === 'failed'),
  );
  return Object.entries(SUITES)
    .filter(([, dir]) => files.some((file) => relative('.', file.name).startsWith(dir)))
    .map(([suite]) => suite);
}
