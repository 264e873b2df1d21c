// The declared glibc floor of each package must be what its executable needs: the highest
// GLIBC_x.y symbol version in the binary (packaging/elf.mjs). A Depends/Requires above it refuses
// systems that would run mxprobe (Debian 11 and Ubuntu 20.04 for a build machine's 2.34); one
// below it lets the package install where the executable cannot start.
// Usage: node scripts/check-deploy-floor.mjs RELEASE_DIR
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { glibcFloor, versionNeeds } from '../packaging/elf.mjs';
import { run } from '../packaging/run.mjs';

const dir = process.argv[2] ?? 'release';
const scratch = mkdtempSync(join(tmpdir(), 'mxprobe-floor-'));
const problems = [];

function declaredIn(pkg) {
  if (pkg.endsWith('.deb')) {
    const depends = run('dpkg-deb', ['--field', pkg, 'Depends']);
    return /(?:^|, )libc6 \(>= ([\d.]+)\)/.exec(depends)?.[1];
  }
  const requires = run('rpm', ['-qp', '--requires', pkg]);
  return /^glibc >= ([\d.]+)$/m.exec(requires)?.[1];
}

function executableIn(pkg) {
  const root = mkdtempSync(join(scratch, 'pkg-'));
  if (pkg.endsWith('.deb')) run('dpkg-deb', ['-x', pkg, root]);
  else
    run('sh', [
      '-c',
      `rpm2cpio "$1" | (cd "$2" && cpio -idm --quiet ./usr/bin/mxprobe)`,
      'sh',
      pkg,
      root,
    ]);
  return join(root, 'usr', 'bin', 'mxprobe');
}

try {
  const packages = readdirSync(dir).filter((f) => f.endsWith('.deb') || f.endsWith('.rpm'));
  if (packages.length === 0) problems.push(`${dir} holds no .deb or .rpm`);
  for (const name of packages.sort()) {
    const pkg = join(dir, name);
    const declared = declaredIn(pkg);
    const needed = glibcFloor(versionNeeds(executableIn(pkg)));
    if (declared !== needed) {
      problems.push(
        `${name} declares glibc ${declared ?? '(none)'}, its executable needs ${needed}`,
      );
    } else {
      process.stdout.write(`${name}: glibc >= ${declared}, what its executable needs\n`);
    }
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
for (const problem of problems) process.stderr.write(`check-deploy-floor: ${problem}\n`);
process.exit(problems.length > 0 ? 1 : 0);
