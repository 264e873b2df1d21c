// The Node.js single executable (https://nodejs.org/docs/latest-v20.x/api/single-executable-applications.html):
// a copy of the Node.js binary that builds it, with the bundle injected as the NODE_SEA_BLOB
// resource. It needs no Node.js on the machine that runs it.
import { chmodSync, copyFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { run } from './run.mjs';

/** The fuse Node.js looks for to tell that a blob was injected (the documented value). */
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

/**
 * @param {{ bundleFile: string, workDir: string, output: string }} options
 */
export function buildSingleExecutable({ bundleFile, workDir, output }) {
  const configFile = join(workDir, 'sea-config.json');
  const blob = join(workDir, 'mxprobe.blob');
  const config = {
    main: resolve(bundleFile),
    output: resolve(blob),
    // Otherwise Node.js warns on stderr, at every start of mxprobe, that SEA is experimental.
    disableExperimentalSEAWarning: true,
    // V8's compiled code for the main script, made here by the same Node.js that runs it:
    // start-up skips parsing and compiling the 1 MB bundle's top level.
    useCodeCache: true,
  };
  writeFileSync(configFile, `${JSON.stringify(config, null, 2)}\n`);
  run(process.execPath, ['--experimental-sea-config', configFile]);

  copyFileSync(process.execPath, output);
  chmodSync(output, 0o755);
  // Debug symbols are an eighth of the Node.js binary (100 MB → 88 MB here) and nothing at run
  // time reads them; stripped before the injection, which adds a note section of its own.
  run('strip', ['--strip-all', '--remove-section=.comment', output]);
  const postject = join('node_modules', '.bin', 'postject');
  // Quiet unless it fails: its ELF library warns about note sections it cannot name on some
  // Node.js builds, which does not affect the injection (the executable is run afterwards).
  run(postject, [output, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', SEA_FUSE]);
}
