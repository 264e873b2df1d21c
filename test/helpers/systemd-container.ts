// A throwaway machine with a real systemd as PID 1, for the system tests: an overlayfs whose lower
// layer is this machine's own / (never written: every change lands in a scratch upper dir),
// booted by systemd-nspawn to multi-user.target with a private network (loopback only, so
// nothing inside can reach out), and entered with nsenter. No systemd is needed on the host:
// --keep-unit and --register=no keep nspawn away from the host's service manager and machined.
// Needs root, systemd-container (systemd-nspawn) and util-linux (nsenter, mount).
//
// Each machine lives in BASE/<name>/ with an owner file naming the test process: a later run
// removes what a crashed run left behind (mount, container, files), never a live run's.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';

const BASE = '/var/tmp/mxprobe-systemd';
const PATH_INSIDE = '/usr/sbin:/usr/bin:/sbin:/bin';
const BOOT_TIMEOUT_MS = 90_000;
const POWEROFF_TIMEOUT_MS = 20_000;

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Where the package's service listens in the system tests: the container's own loopback. */
export const SERVICE_LISTEN = '127.0.0.1:9725';

/**
 * The config the system tests give the package before installing it, so that the shipped one
 * (real mail providers) never runs. Nothing listens on 127.0.0.1:2525 in the container: every
 * attempt is refused (blocked), a result that only this config can produce. No DNS, no cloud.
 */
export const LOOPBACK_ONLY_CONFIG = `# written by the system test: loopback only
interval: 1m
listen: '${SERVICE_LISTEN}'
connectTimeout: 500ms
greetingTimeout: 1s
dnsServers: []
cloudDetection:
  enabled: false
targets:
  - host: 127.0.0.1
    ports: [2525]
`;

/** The command's output; a failure throws with `what` and everything the command printed. */
export function ok(result: RunResult, what: string): string {
  if (result.status !== 0) {
    throw new Error(`${what} failed (exit ${result.status}):\n${result.stdout}${result.stderr}`);
  }
  return result.stdout;
}

function exec(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number; input?: string } = {},
): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = execFile(
      command,
      args,
      {
        encoding: 'utf8',
        env: options.env ?? process.env,
        timeout: options.timeoutMs ?? 60_000,
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const code = (error as { code?: unknown } | null)?.code;
        resolve({ status: error ? (typeof code === 'number' ? code : null) : 0, stdout, stderr });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function readNumber(file: string): number | undefined {
  try {
    const n = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

function isMounted(path: string): boolean {
  return readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .some((line) => line.split(' ')[1] === path);
}

/** Processes whose parent is `pid`, from /proc/<pid>/stat. */
function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the command name, which may itself contain spaces and parentheses.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) children.push(Number(entry));
    } catch {
      // Gone between readdir and read.
    }
  }
  return children;
}

/** The container's PID 1 among nspawn's descendants: PID 1 in its own PID namespace. */
function findLeader(nspawnPid: number): number | undefined {
  const queue = childrenOf(nspawnPid);
  while (queue.length > 0) {
    const pid = queue.shift()!;
    try {
      const nspid = /^NSpid:\s+(.*)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
      if (nspid?.trim().split(/\s+/).at(-1) === '1') return pid;
    } catch {
      continue;
    }
    queue.push(...childrenOf(pid));
  }
  return undefined;
}

async function sleep(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) return false;
    await sleep(100);
  }
  return true;
}

/** Stops what a machine directory holds (container, mount) and removes it. */
async function removeMachineDir(dir: string, nspawn?: ChildProcess): Promise<void> {
  const nspawnPid = nspawn?.pid ?? readNumber(join(dir, 'nspawn.pid'));
  if (nspawnPid !== undefined && isAlive(nspawnPid)) {
    const leader = findLeader(nspawnPid);
    // SIGTERM asks nspawn for an orderly poweroff of the container.
    process.kill(nspawnPid, 'SIGTERM');
    if (!(await waitForExit(nspawnPid, POWEROFF_TIMEOUT_MS))) {
      // Killing PID 1 of the container kills everything in its PID namespace.
      if (leader !== undefined && isAlive(leader)) process.kill(leader, 'SIGKILL');
      process.kill(nspawnPid, 'SIGKILL');
      await waitForExit(nspawnPid, 5_000);
    }
  }
  const merged = join(dir, 'merged');
  if (isMounted(merged)) {
    const umount = await exec('umount', [merged]);
    // Something still holds it (a shell left in the directory): detach it all the same.
    if (umount.status !== 0) await exec('umount', ['--lazy', merged]);
  }
  rmSync(dir, { recursive: true, force: true });
  rmSync(join('/run/systemd/nspawn/propagate', dir.split('/').at(-1) ?? ''), {
    recursive: true,
    force: true,
  });
}

/** Removes the machines of test runs that are gone; returns their names. */
export async function removeLeftovers(): Promise<string[]> {
  if (!existsSync(BASE)) return [];
  const removed: string[] = [];
  for (const name of readdirSync(BASE)) {
    const dir = join(BASE, name);
    const owner = readNumber(join(dir, 'owner.pid'));
    if (owner !== undefined && owner !== process.pid && isAlive(owner)) continue;
    await removeMachineDir(dir);
    removed.push(name);
  }
  return removed;
}

export class SystemdContainer {
  private destroyed = false;

  private constructor(
    readonly name: string,
    private readonly dir: string,
    private readonly nspawn: ChildProcess,
    /** PID 1 of the container, as the host sees it. */
    readonly leader: number,
  ) {}

  /** The container's / as the host sees it (the merged overlay). */
  get root(): string {
    return join(this.dir, 'merged');
  }

  /** Where every change made in the container lands. */
  get upper(): string {
    return join(this.dir, 'upper');
  }

  /** What the container printed while booting and shutting down. */
  console(): string {
    return readFileSync(join(this.dir, 'console.log'), 'utf8');
  }

  static async boot(): Promise<SystemdContainer> {
    await removeLeftovers();
    const name = `mxprobe-${randomBytes(4).toString('hex')}`;
    const dir = join(BASE, name);
    for (const sub of ['upper', 'work', 'merged']) mkdirSync(join(dir, sub), { recursive: true });
    writeFileSync(join(dir, 'owner.pid'), `${process.pid}\n`);
    let nspawn: ChildProcess | undefined;
    try {
      const mount = await exec('mount', [
        '-t',
        'overlay',
        'overlay',
        '-o',
        `lowerdir=/,upperdir=${join(dir, 'upper')},workdir=${join(dir, 'work')}`,
        join(dir, 'merged'),
      ]);
      if (mount.status !== 0) throw new Error(`overlay mount failed: ${mount.stderr}`);

      const consoleFd = openSync(join(dir, 'console.log'), 'a');
      nspawn = spawn(
        'systemd-nspawn',
        [
          `--directory=${join(dir, 'merged')}`,
          `--machine=${name}`,
          '--boot',
          '--keep-unit',
          '--register=no',
          '--private-network',
          '--console=read-only',
          '--quiet',
        ],
        { stdio: ['ignore', consoleFd, consoleFd] },
      );
      if (nspawn.pid === undefined) throw new Error('systemd-nspawn did not start');
      writeFileSync(join(dir, 'nspawn.pid'), `${nspawn.pid}\n`);

      const deadline = Date.now() + BOOT_TIMEOUT_MS;
      let leader: number | undefined;
      while ((leader = findLeader(nspawn.pid)) === undefined) {
        if (nspawn.exitCode !== null || Date.now() > deadline) {
          throw new Error(
            `the container did not start:\n${readFileSync(join(dir, 'console.log'), 'utf8')}`,
          );
        }
        await sleep(100);
      }
      const container = new SystemdContainer(name, dir, nspawn, leader);
      await container.waitForBoot(deadline);
      return container;
    } catch (error) {
      await removeMachineDir(dir, nspawn);
      throw error;
    }
  }

  /** Waits until systemd has finished booting (running, or degraded by a unit of the host's). */
  private async waitForBoot(deadline: number): Promise<void> {
    let last: RunResult | undefined;
    while (Date.now() < deadline) {
      last = await this.run(['systemctl', 'is-system-running', '--wait'], {
        timeoutMs: deadline - Date.now(),
      });
      if (['running', 'degraded'].includes(last.stdout.trim())) return;
      await sleep(200);
    }
    throw new Error(
      `systemd in the container did not finish booting: ${last?.stdout ?? ''}${last?.stderr ?? ''}\n${this.console()}`,
    );
  }

  /**
   * Runs a command inside the container (all its namespaces and its root), with a clean
   * environment: PATH of the system's directories only, plus `env`.
   */
  run(
    argv: string[],
    options: { env?: Record<string, string>; timeoutMs?: number; input?: string } = {},
  ): Promise<RunResult> {
    const env = Object.entries({ PATH: PATH_INSIDE, ...options.env }).map(([k, v]) => `${k}=${v}`);
    return exec(
      'nsenter',
      [
        `--target=${this.leader}`,
        '--mount',
        '--uts',
        '--ipc',
        '--net',
        '--pid',
        '--cgroup',
        '--root',
        '--wd',
        '--',
        '/usr/bin/env',
        '-i',
        ...env,
        ...argv,
      ],
      options,
    );
  }

  /** Runs a shell script inside the container. */
  sh(script: string, options: { timeoutMs?: number } = {}): Promise<RunResult> {
    return this.run(['/bin/sh', '-ec', script], options);
  }

  /**
   * Runs a command of this host in the container's network namespace only: its loopback is the
   * only network there, so this is how a client reaches a service listening inside.
   */
  inNetwork(argv: string[], options: { timeoutMs?: number } = {}): Promise<RunResult> {
    const [command, ...args] = argv;
    if (command === undefined) throw new Error('inNetwork: no command');
    return exec('nsenter', [`--target=${this.leader}`, '--net', '--', command, ...args], options);
  }

  /** A property of a unit, as `systemctl show` gives it (MainPID, ActiveState…). */
  async unitProperty(unit: string, name: string): Promise<string> {
    return ok(
      await this.run(['systemctl', 'show', '--property', name, '--value', unit]),
      `systemctl show ${name}`,
    ).trim();
  }

  /** Powers the container off, unmounts the overlay and removes every file of it. */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    await removeMachineDir(this.dir, this.nspawn);
  }
}
