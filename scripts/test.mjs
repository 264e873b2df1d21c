// `npm test`: sets up what is missing, builds, then runs every test suite. The lab suites
// (network namespaces, nftables, dnsmasq) need root; without it the others still run and this
// says plainly that the lab did not. In CI a lab that cannot run is a failure, never a skip.
import { spawnSync } from 'node:child_process';
import { build, ensureAptPackages, ensureNodeModules, isRoot } from './ensure-deps.mjs';

process.chdir(new URL('..', import.meta.url).pathname);
ensureNodeModules();
const missing = ensureAptPackages();
build();

const inCi = process.env.CI === 'true' || process.env.CI === '1';
const labBlocker = !isRoot()
  ? 'they need root (network namespaces and nftables); run `sudo npm test` to include them'
  : missing.length > 0
    ? `these Debian packages are missing: ${missing.join(', ')}`
    : undefined;

if (labBlocker && inCi) {
  process.stderr.write(`test: the lab tests cannot run in CI: ${labBlocker}\n`);
  process.exit(1);
}
const args = [
  'vitest',
  'run',
  ...(labBlocker ? ['--project', 'unit'] : []),
  ...process.argv.slice(2),
];
const run = spawnSync('npx', args, { stdio: 'inherit' });
if (labBlocker) {
  process.stderr.write(`\ntest: the lab tests (test/lab) did NOT run: ${labBlocker}.\n`);
}
process.exit(run.status ?? 1);
