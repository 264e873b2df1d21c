// The Node.js binaries every single executable is made from: the official builds, as the npm
// registry carries them (the node-linux-<arch> packages), pinned by version and integrity. One
// Node.js version for every architecture, whatever Node.js runs the build: the SEA blob is made
// by the pinned binary for this machine, so it always matches the binary it is injected into.
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { run } from './run.mjs';

export const NODE_VERSION = '20.20.2';

/** `npm view node-linux-<arch>@<version> dist.integrity`, checked before a binary is used. */
export const NODE_INTEGRITY = {
  x64: 'sha512-PeHQM8wAdmHtZA1mBocygZxs5LiUWtsJezQTkBd0iY987KpGrD1O2tVEydvMZiuXceRanxt7rjTnDEBwOPujoQ==',
  arm64:
    'sha512-LCXJnNTFiyGuYBw2gZSI5OBFMbkjAPt8sqD/NKrWoE2QmDgSubTqFng6GaNJ9EJ8HpxBMGcWWpbbcs4Vo+CnGg==',
};

/** Kept across runs (and `rm -rf release`): 43 MB per architecture is worth one download. */
export function cacheDir() {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  const dir = join(base, 'mxprobe-packaging');
  mkdirSync(dir, { recursive: true });
  return dir;
}

function integrityOf(file) {
  return `sha512-${createHash('sha512').update(readFileSync(file)).digest('base64')}`;
}

/**
 * The path of the pinned `node` for `arch` (x64 or arm64), fetched with `npm pack` on first use.
 * @param {'x64' | 'arm64'} arch
 */
export function nodeBinary(arch) {
  const expected = NODE_INTEGRITY[arch];
  if (!expected) throw new Error(`no pinned Node.js binary for ${arch}`);
  const dir = join(cacheDir(), `node-${NODE_VERSION}-linux-${arch}`);
  const binary = join(dir, 'node');
  if (existsSync(binary)) return binary;

  const spec = `node-linux-${arch}@${NODE_VERSION}`;
  const download = join(cacheDir(), 'download');
  rmSync(download, { recursive: true, force: true });
  mkdirSync(download, { recursive: true });
  run('npm', ['pack', spec, '--silent', '--pack-destination', download]);
  const tarball = join(download, `node-linux-${arch}-${NODE_VERSION}.tgz`);
  const actual = integrityOf(tarball);
  if (actual !== expected) {
    throw new Error(`${spec}: integrity ${actual}, expected the pinned ${expected}`);
  }
  run('tar', ['-xzf', tarball, '-C', download, 'package/bin/node']);
  mkdirSync(dir, { recursive: true });
  renameSync(join(download, 'package', 'bin', 'node'), binary);
  chmodSync(binary, 0o755);
  rmSync(download, { recursive: true, force: true });
  return binary;
}
