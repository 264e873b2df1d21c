// `npm run package`: the release artifacts in release/, built from this checkout with no network:
//   release/mxprobe-<version>-linux-<arch>      one self-contained executable (Node.js SEA)
//   release/mxprobe_<version>_<debian-arch>.deb the Debian package (the executable as a service)
// Needs dpkg-deb, dpkg-shlibdeps (dpkg-dev), strip (binutils) and help2man; as root they are installed
// when missing.
import { mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ensureAptPackages, ensureNodeModules } from './ensure-deps.mjs';

process.chdir(new URL('..', import.meta.url).pathname);
const PACKAGING_TOOLS = { 'dpkg-dev': 'dpkg-shlibdeps', binutils: 'strip', help2man: 'help2man' };

function say(message) {
  process.stderr.write(`package: ${message}\n`);
}

ensureNodeModules();
const missing = ensureAptPackages(PACKAGING_TOOLS);
if (missing.length > 0) {
  say(`missing Debian packages: ${missing.join(', ')} (apt-get install ${missing.join(' ')})`);
  process.exit(2);
}

// Imported only now: on a fresh clone, esbuild and postject arrive with ensureNodeModules().
const { bundle } = await import('../packaging/bundle.mjs');
const { buildDeb } = await import('../packaging/deb.mjs');
const { run } = await import('../packaging/run.mjs');
const { buildSingleExecutable } = await import('../packaging/sea.mjs');

const manifest = JSON.parse(readFileSync('package.json', 'utf8'));
const outDir = 'release';
const workDir = join(outDir, 'build');
rmSync(outDir, { recursive: true, force: true });
mkdirSync(workDir, { recursive: true });

try {
  say('bundling src/bin.ts (esbuild)');
  const { file, metafile } = await bundle({ version: manifest.version, outDir: workDir });

  const executable = join(outDir, `mxprobe-${manifest.version}-linux-${process.arch}`);
  say(`building the single executable ${executable}`);
  buildSingleExecutable({ bundleFile: file, workDir, output: executable });
  const printed = run(executable, ['--version'], { env: { PATH: '/nonexistent' } }).trim();
  if (printed !== manifest.version) {
    throw new Error(
      `${executable} --version printed ${JSON.stringify(printed)}, not ${manifest.version}`,
    );
  }

  say('building the Debian package (dpkg-deb)');
  const deb = buildDeb({ manifest, executable, metafile, workDir, outDir });
  for (const artifact of [executable, deb]) {
    say(`${artifact}: ${(statSync(artifact).size / 1e6).toFixed(1)} MB`);
  }
} catch (error) {
  say(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
