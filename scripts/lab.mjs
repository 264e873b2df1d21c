// `npm run lab -- <scenario>`: sets up what is missing, builds, and hands over to the lab CLI.
import { spawnSync } from 'node:child_process';
import { build, ensureAptPackages, ensureNodeModules, isRoot } from './ensure-deps.mjs';

process.chdir(new URL('..', import.meta.url).pathname);
if (!isRoot()) {
  process.stderr.write(
    'lab: needs root (it creates network namespaces and nftables rules); try: sudo npm run lab -- azure\n',
  );
  process.exit(2);
}
ensureNodeModules();
const missing = ensureAptPackages();
if (missing.length > 0) {
  process.stderr.write(`lab: missing Debian packages: ${missing.join(', ')}\n`);
  process.exit(2);
}
build();
const run = spawnSync(process.execPath, ['dist/lab/cli.js', ...process.argv.slice(2)], {
  stdio: 'inherit',
});
process.exit(run.status ?? 1);
