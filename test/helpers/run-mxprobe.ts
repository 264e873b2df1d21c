// Runs the built `mxprobe` as a user would and collects what a user sees.
import { spawn } from 'node:child_process';
import { join } from 'node:path';

export const MXPROBE_BIN = join(import.meta.dirname, '../../dist/src/bin.js');

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Node options for the child, e.g. a preload (`--import test/helpers/no-dns.mjs`). */
export interface RunOptions {
  nodeArgs?: string[];
}

export function mxprobe(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  options: RunOptions = {},
): Promise<Run> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), MXPROBE_BIN, ...args], {
      env: { ...process.env, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: Date.now() - started }));
  });
}
