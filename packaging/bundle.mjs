// The program as one CommonJS file (what a Node.js single executable runs): src/bin.ts and its
// npm dependencies, bundled by esbuild. The bundle has no package.json or probes/ beside it, so
// the version, the build (git revision and release time) and the built-in probe set are
// embedded (src/package-root.ts reads them).
// Modules loaded with `await import()` (the daemon, the textfile writer) stay lazy: esbuild
// keeps each one's body in a closure that runs when the import is first reached.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

/**
 * @param {{ version: string, revision: string, epoch: number, outDir: string }} options
 * @returns {Promise<{ file: string, metafile: string }>}
 */
export async function bundle({ version, revision, epoch, outDir }) {
  const file = join(outDir, 'mxprobe.cjs');
  const result = await build({
    entryPoints: ['src/bin.ts'],
    outfile: file,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    metafile: true,
    // The bundle's text stays in the heap for as long as the program runs (V8 compiles each
    // function from it when first called): without whitespace and comments it is a third
    // smaller, and in ASCII V8 keeps it at one byte a character instead of two. Names are kept,
    // so a stack trace still reads.
    minifyWhitespace: true,
    minifySyntax: true,
    charset: 'ascii',
    // The licences of the bundled packages travel in the Debian copyright file; the bare
    // executable keeps their legal comments at its end.
    legalComments: 'eof',
    logLevel: 'warning',
    define: {
      MXPROBE_EMBEDDED: JSON.stringify({
        version,
        revision,
        buildDate: new Date(epoch * 1000).toISOString(),
        defaultProbeSet: readFileSync('probes/default.yaml', 'utf8'),
      }),
      // Only read when the program runs from its files (src/package-root.ts), never here.
      'import.meta.url': 'undefined',
    },
  });
  if (result.errors.length > 0 || result.warnings.length > 0) {
    throw new Error('esbuild reported problems (above)');
  }
  // Which inputs make up the bundle, by size: `npx esbuild --analyze`-style reading for
  // start-up work, and the list of npm packages whose licences the copyright file names.
  const metafile = join(outDir, 'mxprobe.meta.json');
  writeFileSync(metafile, JSON.stringify(result.metafile));
  return { file, metafile };
}
