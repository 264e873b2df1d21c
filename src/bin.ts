#!/usr/bin/env node
// Entry point of the `mxprobe` executable: run the CLI, turn its verdict into the exit status.
import { main } from './cli.js';

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  // Only a fault of mxprobe itself gets here; user mistakes were answered in one line by main().
  process.stderr.write(
    `mxprobe: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 70;
}
