// `npm run package`: the release artifacts in release/ (or the directory after --out), built from
// this checkout for linux x64 and arm64, whatever machine builds them:
//   mxprobe-<version>-linux-{x64,arm64}        the single executable (Node.js SEA)
//   mxprobe_<version>_{amd64,arm64}.deb        the Debian/Ubuntu package
//   mxprobe-<version>-1.{x86_64,aarch64}.rpm   the RPM package
//   mxprobe-<version>-oci.tar                  the container image: an OCI layout holding one
//                                              image index for linux/amd64 and linux/arm64
//   SHA256SUMS                                 the SHA-256 of each of them (sha256sum -c)
// Every byte is fixed by the commit: SOURCE_DATE_EPOCH (else the last commit's time) stamps
// each artifact, so two runs give the same files (scripts/check-deploy-release.sh checks it).
// Needs dpkg-deb, rpmbuild, readelf and strip for both architectures, help2man, and the npm
// registry and Debian's archive once (the pinned Node.js binaries and the C runtime are cached);
// as root, missing Debian packages are installed.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { ensureAptPackages, ensureNodeModules } from './ensure-deps.mjs';

process.chdir(new URL('..', import.meta.url).pathname);
const PACKAGING_TOOLS = {
  'dpkg-dev': 'dpkg-architecture',
  binutils: 'readelf',
  'binutils-aarch64-linux-gnu': 'aarch64-linux-gnu-strip',
  'binutils-x86-64-linux-gnu': 'x86_64-linux-gnu-strip',
  help2man: 'help2man',
  rpm: 'rpmbuild',
};
const ARCHES = /** @type {const} */ (['x64', 'arm64']);

function say(message) {
  process.stderr.write(`package: ${message}\n`);
}

const { values: options } = parseArgs({ options: { out: { type: 'string', default: 'release' } } });
ensureNodeModules();
const missing = ensureAptPackages(PACKAGING_TOOLS);
if (missing.length > 0) {
  say(`missing Debian packages: ${missing.join(', ')} (apt-get install ${missing.join(' ')})`);
  process.exit(2);
}

// Imported only now: on a fresh clone, esbuild and postject arrive with ensureNodeModules().
const { bundle } = await import('../packaging/bundle.mjs');
const { buildDeb, DESCRIPTION, SUMMARY } = await import('../packaging/deb.mjs');
const { manPage } = await import('../packaging/manpage.mjs');
const { ociArchive } = await import('../packaging/oci.mjs');
const { releaseEpoch, releaseRevision } = await import('../packaging/release.mjs');
const { buildRpm } = await import('../packaging/rpm.mjs');
const { run } = await import('../packaging/run.mjs');
const { buildSingleExecutable } = await import('../packaging/sea.mjs');

const manifest = JSON.parse(readFileSync('package.json', 'utf8'));
const { version } = manifest;
const outDir = options.out;
const workDir = join(outDir, 'build');
rmSync(outDir, { recursive: true, force: true });
mkdirSync(workDir, { recursive: true });
const epoch = releaseEpoch();
// dpkg-deb and rpmbuild read it too: the time of the archive members, every file's time clamped.
process.env.SOURCE_DATE_EPOCH = String(epoch);
const revision = releaseRevision();

function checkVersion(executable) {
  const printed = run(executable, ['--version'], { env: { PATH: '/nonexistent' } });
  if (!printed.startsWith(`mxprobe, version ${version} (revision: ${revision})\n`)) {
    throw new Error(`${executable} --version printed ${JSON.stringify(printed)}`);
  }
}

function sha256sums(artifacts) {
  const lines = artifacts.map((file) => {
    const digest = createHash('sha256').update(readFileSync(file)).digest('hex');
    return `${digest}  ${basename(file)}\n`;
  });
  const file = join(outDir, 'SHA256SUMS');
  writeFileSync(file, lines.join(''));
  return file;
}

try {
  say(`release ${version}, revision ${revision}, SOURCE_DATE_EPOCH=${epoch}`);
  say('bundling src/bin.ts (esbuild)');
  const { file, metafile } = await bundle({ version, revision, epoch, outDir: workDir });

  const executables = {};
  for (const arch of ARCHES) {
    const executable = join(outDir, `mxprobe-${version}-linux-${arch}`);
    say(`building the single executable ${executable}`);
    buildSingleExecutable({ bundleFile: file, workDir, output: executable, arch });
    executables[arch] = executable;
  }
  checkVersion(executables[process.arch]);
  const page = manPage({
    executable: executables[process.arch],
    version,
    summary: SUMMARY,
    epoch,
    workDir,
  });

  const artifacts = Object.values(executables);
  for (const arch of ARCHES) {
    const common = {
      manifest,
      executable: executables[arch],
      arch,
      epoch,
      metafile,
      manPage: page,
      workDir,
      outDir,
    };
    say(`building the Debian package for ${arch} (dpkg-deb)`);
    artifacts.push(buildDeb(common));
    say(`building the RPM package for ${arch} (rpmbuild)`);
    artifacts.push(buildRpm(common));
  }
  say('building the container image for linux/amd64 and linux/arm64 (OCI layout)');
  const image = join(outDir, `mxprobe-${version}-oci.tar`);
  const description = DESCRIPTION.split('\n\n')[0].replace(/\n/g, ' ');
  writeFileSync(
    image,
    ociArchive({
      executables,
      config: 'probes/default.yaml',
      epoch,
      version,
      revision,
      description,
      license: manifest.license,
    }),
  );
  artifacts.push(image);

  const sums = sha256sums(artifacts);
  for (const artifact of artifacts) {
    say(`${artifact}: ${(statSync(artifact).size / 1e6).toFixed(1)} MB`);
  }
  say(`${sums}: the SHA-256 of each (sha256sum -c SHA256SUMS in ${outDir})`);
} catch (error) {
  say(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
