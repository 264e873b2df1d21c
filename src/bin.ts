#!/usr/bin/env node
// Entry point of the `mxprobe` executable: run the CLI, turn its verdict into the exit status.
// A promise chain rather than a top-level await: the single executable runs a CommonJS bundle.
import { main } from './cli.js';

main(process.argv.slice(2)).then(
  (exitCode) => {
    process.exitCode = exitCode;
  },
  (error: unknown) => {
    // Only a fault of mxprobe itself gets here; user mistakes were answered in one line by main().
    process.stderr.write(
      `mxprobe: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 70;
  },
);
