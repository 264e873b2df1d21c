// The built `mxprobe probe` daemon as systemd runs it: a child process logging JSON lines on
// stdout, driven by real signals. Tests wait on its log events rather than on sleeps.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

export { freePort } from '../../lab/free-port.js';

export const BIN = join(import.meta.dirname, '../../dist/src/bin.js');

export interface DaemonProcess {
  child: ChildProcess;
  logs: Record<string, unknown>[];
  stderr(): string;
  /** Resolves with the first log event (from index `from` on) that matches. */
  waitFor(
    match: (event: Record<string, unknown>) => boolean,
    options?: { from?: number; timeoutMs?: number },
  ): Promise<Record<string, unknown>>;
  /** Sends the signal; resolves with the exit code and how long the exit took. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; ms: number }>;
}

export interface SpawnOptions {
  /** Ask the metadata services named in the config (default: off, --no-cloud-detection). */
  cloudDetection?: boolean;
  /** Added to this process' environment (e.g. NODE_EXTRA_CA_CERTS for a loopback relay). */
  env?: Record<string, string>;
  /** The daemon's file-descriptor budget (`ulimit -n`), as a small VM or a unit file sets it. */
  fdLimit?: number;
}

export function spawnDaemon(args: string[], options: SpawnOptions = {}): DaemonProcess {
  const cloudFlags = options.cloudDetection ? [] : ['--no-cloud-detection'];
  const argv = [BIN, 'probe', ...cloudFlags, ...args];
  const spawnOptions = {
    stdio: ['ignore', 'pipe', 'pipe'] as ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...options.env },
  };
  // The shell sets the limit and then becomes node (exec), so the pid is the daemon's own.
  const child =
    options.fdLimit === undefined
      ? spawn(process.execPath, argv, spawnOptions)
      : spawn(
          '/bin/sh',
          ['-c', `ulimit -n ${options.fdLimit} && exec "$0" "$@"`, process.execPath, ...argv],
          spawnOptions,
        );
  const logs: Record<string, unknown>[] = [];
  let stderr = '';
  let partial = '';
  child.stdout.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines)
      if (line.trim()) logs.push(JSON.parse(line) as Record<string, unknown>);
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

  return {
    child,
    logs,
    stderr: () => stderr,
    waitFor: async (match, { from = 0, timeoutMs = 15_000 } = {}) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = logs.slice(from).find(match);
        if (found) return found;
        if (child.exitCode !== null)
          throw new Error(`mxprobe exited (${child.exitCode}): ${stderr}`);
        if (Date.now() > deadline)
          throw new Error(
            `no matching log event in ${timeoutMs} ms; logs: ${JSON.stringify(logs)}`,
          );
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    stop: async (signal = 'SIGTERM') => {
      const started = Date.now();
      if (child.exitCode === null) child.kill(signal);
      const code = await exited;
      return { code, ms: Date.now() - started };
    },
  };
}
