// `npm test`: sets up what is missing, builds, then runs every test suite. The lab suites
// (network namespaces, nftables, dnsmasq) and the system suite (systemd in a container) need
// root; without it the others still run and this says plainly that they did not. In CI a suite
// that cannot run is a failure, never a skip.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, ensureAptPackages, ensureNodeModules, isRoot } from './ensure-deps.mjs';

process.chdir(new URL('..', import.meta.url).pathname);
ensureNodeModules();
const missing = ensureAptPackages();
build();

const inCi = process.env.CI === 'true' || process.env.CI === '1';
const labBlocker = !isRoot()
  ? 'they need root (network namespaces, nftables, ports below 1024, containers); run `sudo npm test` to include them'
  : missing.length > 0
    ? `these Debian packages are missing: ${missing.join(', ')}`
    : undefined;

if (labBlocker && inCi) {
  process.stderr.write(`test: the lab, root and system tests cannot run in CI: ${labBlocker}\n`);
  process.exit(1);
}
const results = join(mkdtempSync(join(tmpdir(), 'mxprobe-test-')), 'results.json');
const args = [
  'vitest',
  'run',
  ...(labBlocker ? ['--project', 'unit'] : []),
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${results}`,
  ...process.argv.slice(2),
];
const run = spawnSync('npx', args, { stdio: 'inherit' });
if (labBlocker) {
  process.stderr.write(
    `\ntest: the lab, root and system tests (test/lab, test/root, test/system) did NOT run: ${labBlocker}.\n`,
  );
}
// One plain closing line with the totals, for people and for tools that read it.
if (existsSync(results)) {
  const totals = JSON.parse(readFileSync(results, 'utf8'));
  const skipped = totals.numPendingTests + totals.numTodoTests;
  process.stdout.write(
    `tests: ${totals.numPassedTests} passed, ${totals.numFailedTests} failed, ${skipped} skipped\n`,
  );
}
process.exit(run.status ?? 1);
