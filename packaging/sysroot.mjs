// The C runtime of a Debian system for one architecture, unpacked from Debian's own packages
// (apt-get download, no installation): the libraries the executable links against and the CA
// certificates. The container image takes its few files from here, and CI runs the arm64
// executable under qemu-user with this tree as its root for libraries (qemu-aarch64-static -L).
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir } from './node-binaries.mjs';
import { run } from './run.mjs';

const DEBIAN_ARCH = { x64: 'amd64', arm64: 'arm64' };
/** The packages holding libc, libm, libdl, libpthread, ld.so, libgcc_s and libstdc++. */
const RUNTIME_PACKAGES = ['libc6', 'libgcc-s1', 'libstdc++6'];

function aptKnowsArchitecture(debianArch) {
  const native = run('dpkg', ['--print-architecture']).trim();
  if (native === debianArch) return true;
  return run('dpkg', ['--print-foreign-architectures']).split('\n').includes(debianArch);
}

/** Makes apt serve another architecture's packages (root only; apt-get update once). */
function addArchitecture(debianArch) {
  if (process.getuid?.() !== 0) {
    throw new Error(
      `apt has no ${debianArch} packages: run \`dpkg --add-architecture ${debianArch} && apt-get update\` as root`,
    );
  }
  run('dpkg', ['--add-architecture', debianArch]);
  run('apt-get', ['update', '-q']);
}

function download(packages, dir) {
  mkdirSync(dir, { recursive: true });
  // As root, apt's sandbox user could not write here: download in place, as root.
  run('apt-get', ['download', '-q', '-o', 'APT::Sandbox::User=root', ...packages], { cwd: dir });
  for (const deb of readdirSync(dir).filter((f) => f.endsWith('.deb'))) {
    run('dpkg-deb', ['-x', join(dir, deb), dir]);
  }
}

/**
 * The unpacked runtime for `arch` (cached): <dir>/lib/…, <dir>/usr/lib/…, and under
 * <dir>/usr/share/ca-certificates the certificates of Debian's ca-certificates.
 * @param {'x64' | 'arm64'} arch
 */
export function debianSysroot(arch) {
  const debianArch = DEBIAN_ARCH[arch];
  const dir = join(cacheDir(), `sysroot-${debianArch}`);
  if (existsSync(join(dir, '.complete'))) return dir;
  if (!aptKnowsArchitecture(debianArch)) addArchitecture(debianArch);
  rmSync(dir, { recursive: true, force: true });
  download([...RUNTIME_PACKAGES.map((p) => `${p}:${debianArch}`), 'ca-certificates'], dir);
  run('touch', [join(dir, '.complete')]);
  return dir;
}
