#!/usr/bin/env node
// Entry point of the `mxprobe` executable: run the CLI and hand its exit status to the process
// (cli/exit-status.ts decides it). No top-level await, so the same file also works as the
// entry of a CommonJS bundle.
import { main } from './cli/main.js';

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
