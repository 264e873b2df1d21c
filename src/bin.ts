#!/usr/bin/env node
// Entry point of the `mxprobe` executable: run the CLI, turn its verdict into the exit status.
// No top-level await, so the same file also works as the entry of a CommonJS bundle.
import { main } from './cli/main.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // Only a fault of mxprobe itself gets here; user mistakes were answered in one line by main().
    process.stderr.write(
      `mxprobe: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 70;
  },
);
