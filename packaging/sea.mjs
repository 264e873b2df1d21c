// The Node.js single executable (https://nodejs.org/docs/latest-v20.x/api/single-executable-applications.html):
// a copy of the pinned Node.js binary for the target architecture (packaging/node-binaries.mjs),
// with the bundle injected as the NODE_SEA_BLOB resource. It needs no Node.js on the machine that
// runs it. The blob is made by the pinned Node.js of this machine: the same Node.js version as
// every binary it goes into, which is what the blob's format requires.
import { chmodSync, copyFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { nodeBinary } from './node-binaries.mjs';
import { run } from './run.mjs';

/** The fuse Node.js looks for to tell that a blob was injected (the documented value). */
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

/** GNU triplets: the binutils that strip each architecture's binary, its library directory. */
export const TRIPLETS = { x64: 'x86_64-linux-gnu', arm64: 'aarch64-linux-gnu' };

function writeBlob({ bundleFile, workDir, arch }) {
  const blob = `mxprobe-${arch}.blob`;
  const configFile = `sea-config-${arch}.json`;
  const config = {
    // Relative to workDir, where the blob is made: the blob records the main script's path,
    // which must not depend on where the release is built.
    main: relative(workDir, bundleFile),
    output: blob,
    // Otherwise Node.js warns on stderr, at every start of mxprobe, that SEA is experimental.
    disableExperimentalSEAWarning: true,
    // No V8 code cache: it would only serve the architecture that writes the blob, and V8 does
    // not write it the same way twice, so two builds of one commit would differ. Start-up
    // parses the bundle's top level instead.
    useCodeCache: false,
  };
  writeFileSync(join(workDir, configFile), `${JSON.stringify(config, null, 2)}\n`);
  run(nodeBinary(process.arch), ['--experimental-sea-config', configFile], { cwd: workDir });
  return join(workDir, blob);
}

/**
 * @param {{ bundleFile: string, workDir: string, output: string, arch: 'x64' | 'arm64' }} options
 */
export function buildSingleExecutable({ bundleFile, workDir, output, arch }) {
  const blob = writeBlob({ bundleFile, workDir, arch });
  copyFileSync(nodeBinary(arch), output);
  chmodSync(output, 0o755);
  // Debug symbols are an eighth of the Node.js binary and nothing at run time reads them;
  // stripped before the injection, which adds a note section of its own.
  run(`${TRIPLETS[arch]}-strip`, ['--strip-all', '--remove-section=.comment', output]);
  const postject = join('node_modules', '.bin', 'postject');
  // Quiet unless it fails: its ELF library warns about note sections it cannot name on some
  // Node.js builds, which does not affect the injection (the executable is run afterwards).
  run(postject, [output, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', SEA_FUSE]);
}
