// The system tests install the release artifacts: build them with `npm run package` unless
// release/ already holds a complete release (its SHA256SUMS, written last) newer than every file
// it is made from. A machine that cannot boot
// a container fails the run with the reason; it is never skipped.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const REPO_ROOT = join(import.meta.dirname, '..', '..');
/** What the executable and the .deb are made from (scripts/package.mjs and packaging/). */
const INPUTS = [
  'src',
  'probes',
  'systemd',
  'packaging',
  'scripts/package.mjs',
  'package.json',
  'package-lock.json',
  'README.md',
  'LICENSE',
  'docs',
  'deploy',
];

function newestMtimeMs(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce(
    (newest, entry) => Math.max(newest, newestMtimeMs(join(path, entry))),
    stat.mtimeMs,
  );
}

function releaseIsCurrent(): boolean {
  const sums = join(REPO_ROOT, 'release', 'SHA256SUMS');
  if (!existsSync(sums)) return false;
  const built = statSync(sums).mtimeMs;
  return INPUTS.every((input) => newestMtimeMs(join(REPO_ROOT, input)) <= built);
}

export default function setup(): void {
  if (process.getuid?.() !== 0)
    throw new Error('the system tests need root (mount, systemd-nspawn)');
  for (const command of ['systemd-nspawn', 'nsenter', 'dpkg-deb']) {
    if (spawnSync('sh', ['-c', `command -v ${command}`]).status !== 0) {
      throw new Error(
        `the system tests need ${command} (Debian: systemd-container, util-linux, dpkg)`,
      );
    }
  }
  if (releaseIsCurrent()) return;
  try {
    execFileSync(process.execPath, [join(REPO_ROOT, 'scripts', 'package.mjs')], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: Buffer; stderr?: Buffer };
    throw new Error(`npm run package failed:\n${String(stdout ?? '')}${String(stderr ?? '')}`, {
      cause: error,
    });
  }
}
