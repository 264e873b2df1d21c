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

export function mxprobe(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [MXPROBE_BIN, ...args], {
      env: { ...process.env, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: Date.now() - started }));
  });
}
