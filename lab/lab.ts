// The lab as one object: `up()` builds the namespaces and starts DNS and the mail servers,
// `apply(scenario)` switches the egress policy in milliseconds, `execInVm(argv)` runs a
// command as the VM would, `down()` removes everything. Any process can drive a lab that
// another process brought up (the test workers do), because its state is the namespaces
// themselves plus the files in STATE_DIR.

import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPki } from './pki.js';
import { probeSetYaml } from './probe-set.js';
import { rulesets, scenario, type Scenario, type ScenarioName } from './scenarios.js';
import { SMTP_PORTS, type ServersConfig } from './servers.js';
import {
  createTopology,
  findLeftovers,
  inNs,
  NS_INET,
  NS_ROUTER,
  NS_VM,
  removeAll,
  run,
  setVmIpv6Route,
  type Leftovers,
  alive,
} from './topology.js';
import { allHosts, dnsmasqConfig } from './zone.js';

/** Where the lab keeps its generated files (certificates, configs); removed by down(). */
export const STATE_DIR = '/run/mxlab';

const READY_TIMEOUT_MS = 15_000;

/** The repository root: the nearest directory above this file with package.json. */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the mxprobe repository root');
    dir = parent;
  }
  return dir;
}

export const REPO_ROOT = repoRoot();
/** The built CLI, run exactly as an installed `mxprobe` would be. */
export const MXPROBE_BIN = join(REPO_ROOT, 'dist', 'src', 'bin.js');
const LAB_DIST = join(REPO_ROOT, 'dist', 'lab');

export const paths = {
  caCert: join(STATE_DIR, 'pki', 'ca.pem'),
  probeSet: join(STATE_DIR, 'probe.yaml'),
  bin: join(STATE_DIR, 'bin'),
  dnsmasqConf: join(STATE_DIR, 'dnsmasq.conf'),
  dnsmasqPid: join(STATE_DIR, 'dnsmasq.pid'),
  serversConf: join(STATE_DIR, 'servers.json'),
  dnsmasqLog: join(STATE_DIR, 'dnsmasq.log'),
  serversLog: join(STATE_DIR, 'servers.log'),
  /** The pid of the process that brought the lab up: one lab per machine at a time. */
  owner: join(STATE_DIR, 'owner.pid'),
} as const;

export interface ExecResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  durationMs: number;
}

export interface ExecOptions {
  env?: Record<string, string>;
  timeoutMs?: number;
  /** Inherit the terminal instead of capturing output (the interactive front end). */
  inherit?: boolean;
}

/** The environment a VM process gets: the lab CA trusted, the lab's mxprobe on PATH. */
export function vmEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: `${paths.bin}:${process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin'}`,
    HOME: process.env.HOME ?? '/root',
    TERM: process.env.TERM ?? 'dumb',
    NODE_EXTRA_CA_CERTS: paths.caCert,
    ...extra,
  };
}

export class Lab {
  private readonly children: ChildProcess[] = [];
  private current: Scenario | undefined;
  log: (line: string) => void;

  constructor(options: { log?: (line: string) => void } = {}) {
    this.log = options.log ?? (() => undefined);
  }

  /** Brings the whole lab up on a clean slate; on any failure, tears down what it built. */
  async up(): Promise<{ durationMs: number; leftoversRemoved: Leftovers }> {
    const started = performance.now();
    // The names are fixed, so a second lab would tear the first one apart: refuse while the
    // process that owns a lab still runs, and clean up after one that does not (a crash).
    const owner = labOwner();
    if (owner !== undefined && owner !== process.pid) {
      throw new Error(
        `a lab is already up (started by pid ${owner}); wait for it, or remove it with: npm run lab -- down`,
      );
    }
    const leftoversRemoved = removeAll(STATE_DIR);
    try {
      mkdirSync(paths.bin, { recursive: true });
      writeFileSync(paths.owner, `${process.pid}\n`);
      this.log('creating namespaces mxl-vm, mxl-router, mxl-inet');
      createTopology();
      this.log('making the lab CA and certificates');
      const good = allHosts().filter((h) => h.behaviour !== 'expired-cert');
      const expired = allHosts().filter((h) => h.behaviour === 'expired-cert');
      const pki = createPki(join(STATE_DIR, 'pki'), good, expired);

      this.log('starting dnsmasq (the lab zone)');
      writeFileSync(
        paths.dnsmasqConf,
        dnsmasqConfig({ pidFile: paths.dnsmasqPid, logQueries: false }),
      );
      this.start(
        'dnsmasq',
        inNs(NS_INET, [
          'dnsmasq',
          '--keep-in-foreground',
          '--user=root',
          `--conf-file=${paths.dnsmasqConf}`,
        ]),
        paths.dnsmasqLog,
      );

      this.log('starting the lab mail servers');
      const serversConfig: ServersConfig = {
        listeners: allHosts().flatMap((h) =>
          [h.ipv4, h.ipv6].flatMap((address) =>
            SMTP_PORTS.map((port) => ({ address, port, name: h.name, behaviour: h.behaviour })),
          ),
        ),
        tls: {
          key: pki.serverKey,
          cert: pki.serverCert,
          expiredKey: pki.expiredKey,
          expiredCert: pki.expiredCert,
        },
      };
      writeFileSync(paths.serversConf, JSON.stringify(serversConfig, null, 2));
      const servers = this.start(
        'mail servers',
        inNs(NS_INET, [process.execPath, join(LAB_DIST, 'servers.js'), paths.serversConf]),
        paths.serversLog,
      );
      await waitForLog(
        servers,
        paths.serversLog,
        /^ready /,
        READY_TIMEOUT_MS,
        'the lab mail servers',
      );

      // `mxprobe` on the VM's PATH, for people trying things by hand in `--shell`.
      writeFileSync(
        join(paths.bin, 'mxprobe'),
        `#!/bin/sh\nexec "${process.execPath}" "${MXPROBE_BIN}" "$@"\n`,
        { mode: 0o755 },
      );

      this.apply('open');
      await this.waitUntilReady();
      return { durationMs: Math.round(performance.now() - started), leftoversRemoved };
    } catch (error) {
      this.down();
      throw error;
    }
  }

  /** Switches the egress policy: both nftables tables replaced atomically, the VM's routes set. */
  apply(name: ScenarioName): Scenario {
    const s = scenario(name);
    const rules = rulesets(s);
    run(inNs(NS_ROUTER, ['nft', '-f', '-']), { input: rules.router });
    run(inNs(NS_VM, ['nft', '-f', '-']), { input: rules.vm });
    setVmIpv6Route(s.vmIpv6Route);
    // The probe set follows the scenario (cloud detection on only where the lab plays a cloud).
    writeFileSync(paths.probeSet, probeSetYaml(name));
    this.current = s;
    return s;
  }

  get scenario(): Scenario | undefined {
    return this.current;
  }

  /** Runs argv inside the VM namespace (as `ip netns exec mxl-vm argv`). Never rejects on exit status. */
  execInVm(argv: string[], options: ExecOptions = {}): Promise<ExecResult> {
    const started = performance.now();
    const child = spawn('ip', ['netns', 'exec', NS_VM, ...argv], {
      env: vmEnv(options.env),
      stdio: options.inherit ? 'inherit' : ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr?.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    return new Promise((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code, signal) => {
        clearTimeout(timer);
        resolve({
          code,
          signal,
          stdout,
          stderr,
          durationMs: Math.round(performance.now() - started),
        });
      });
    });
  }

  /** `mxprobe ARGS` in the VM, the built CLI run as a user would run it. */
  mxprobe(args: string[], options: ExecOptions = {}): Promise<ExecResult> {
    return this.execInVm([process.execPath, MXPROBE_BIN, ...args], options);
  }

  /** Removes everything; synchronous, so it also works from an `exit` handler. */
  down(): { durationMs: number; removed: Leftovers } {
    const started = performance.now();
    for (const child of this.children.splice(0)) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    }
    const removed = removeAll(STATE_DIR);
    this.current = undefined;
    return { durationMs: Math.round(performance.now() - started), removed };
  }

  /**
   * Starts a lab service in its own process group, so a Ctrl-C at the terminal never hits it,
   * with its output in a log file under STATE_DIR rather than a pipe that would keep this
   * process alive and fill up when nobody reads it.
   */
  private start(label: string, argv: string[], logFile: string): ChildProcess {
    const [file, ...args] = argv;
    if (file === undefined) throw new Error('start: empty argv');
    const fd = openSync(logFile, 'a');
    const child = spawn(file, args, { stdio: ['ignore', fd, fd], detached: true });
    closeSync(fd);
    child.once('exit', (code, signal) => {
      if (this.children.includes(child)) {
        this.log(
          `${label} exited unexpectedly (${signal ?? `status ${String(code)}`}); see ${logFile}`,
        );
      }
    });
    child.unref();
    this.children.push(child);
    return child;
  }

  private async waitUntilReady(): Promise<void> {
    const deadline = performance.now() + READY_TIMEOUT_MS;
    let last = '';
    while (performance.now() < deadline) {
      const check = await this.execInVm([process.execPath, join(LAB_DIST, 'selfcheck.js')], {
        timeoutMs: 8_000,
      });
      if (check.code === 0) return;
      last = (check.stdout + check.stderr).trim();
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error(`the lab did not become ready within ${READY_TIMEOUT_MS} ms: ${last}`);
  }
}

/** The pid of the live process that brought the current lab up, if there is one. */
export function labOwner(): number | undefined {
  if (!existsSync(paths.owner)) return undefined;
  const pid = Number.parseInt(readFileSync(paths.owner, 'utf8'), 10);
  return Number.isInteger(pid) && pid > 0 && alive(pid) ? pid : undefined;
}

/** Whether anything of a lab exists (namespaces, stray links, processes, files). */
export function labLeftovers(): Leftovers {
  return findLeftovers(STATE_DIR);
}

/** Waits until a service writes a line matching pattern to its log, or exits, or time runs out. */
async function waitForLog(
  child: ChildProcess,
  logFile: string,
  pattern: RegExp,
  timeoutMs: number,
  label: string,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const text = existsSync(logFile) ? readFileSync(logFile, 'utf8') : '';
    if (text.split('\n').some((line) => pattern.test(line))) return;
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `${label} exited (${child.signalCode ?? `status ${String(child.exitCode)}`}): ${text.trim().slice(-2_000)}`,
      );
    }
    if (performance.now() > deadline)
      throw new Error(`${label} not ready within ${timeoutMs} ms: ${text.trim().slice(-2_000)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
