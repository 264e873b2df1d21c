// The lab as one object: `up()` builds the namespaces and starts DNS and the mail servers,
// `apply(scenario)` switches the egress policy in milliseconds, `execInVm(argv)` runs a
// command as the VM would, `down()` removes everything. Any process can drive a lab that
// another process brought up (the test workers do), because its state is the namespaces
// themselves plus the files in its state directory. Each Lab is one instance (instance.ts):
// MXLAB_INSTANCE's unless told otherwise, and several instances can be up at once.

import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../src/package-root.js';
import { downCommand, labNamesFromEnv, type LabNames } from './instance.js';
import { createPki, type Pki } from './pki.js';
import { writeProbeSet } from './probe-set.js';
import { rulesets, scenario, type Scenario, type ScenarioName } from './scenarios.js';
import { SMTP_PORTS, type ServersConfig } from './servers.js';
import {
  alive,
  createTopology,
  findLeftovers,
  inNs,
  removeAll,
  run,
  setVmIpv6Route,
  VM_ADDRESS_V4,
  VM_ADDRESS_V6,
  type Leftovers,
} from './topology.js';
import { allHosts, BLOCKED_CLIENTS, dnsmasqConfig, PROVIDERS, type Refusal } from './zone.js';

const READY_TIMEOUT_MS = 15_000;

/** The repository root (the lab always runs from the repository's files, never a bundle). */
function repoRoot(): string {
  if (PACKAGE_ROOT === undefined) throw new Error('cannot find the mxprobe repository root');
  return PACKAGE_ROOT;
}

export const REPO_ROOT = repoRoot();
/** The built CLI, run exactly as an installed `mxprobe` would be. */
export const MXPROBE_BIN = join(REPO_ROOT, 'dist', 'src', 'bin.js');
const LAB_DIST = join(REPO_ROOT, 'dist', 'lab');

/** The files of one lab instance, all under its state directory (removed by down()). */
export function labPaths(stateDir: string) {
  return {
    pki: join(stateDir, 'pki'),
    caCert: join(stateDir, 'pki', 'ca.pem'),
    probeSet: join(stateDir, 'probe.yaml'),
    bin: join(stateDir, 'bin'),
    dnsmasqConf: join(stateDir, 'dnsmasq.conf'),
    dnsmasqPid: join(stateDir, 'dnsmasq.pid'),
    serversConf: join(stateDir, 'servers.json'),
    dnsmasqLog: join(stateDir, 'dnsmasq.log'),
    serversLog: join(stateDir, 'servers.log'),
    /** Every connection the lab's mail servers accepted (lab/connection-log.ts). */
    connections: join(stateDir, 'connections.jsonl'),
    /** The pid of the process that brought this instance up: one owner at a time. */
    owner: join(stateDir, 'owner.pid'),
  } as const;
}

export type LabPaths = ReturnType<typeof labPaths>;

export interface ExecResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  durationMs: number;
  /** When the process exited (milliseconds since the epoch). */
  exitedAt: number;
}

export interface ExecOptions {
  env?: Record<string, string>;
  timeoutMs?: number;
  /** Inherit the terminal instead of capturing output (the interactive front end). */
  inherit?: boolean;
}

/** What to say when another live process owns the instance: it is not ours to tear down. */
export function ownedMessage(names: LabNames, owner: number): string {
  return `a lab is already up (started by pid ${owner}); wait for it, or remove it with: ${downCommand(names)}`;
}

export class Lab {
  readonly names: LabNames;
  readonly paths: LabPaths;
  private readonly children: ChildProcess[] = [];
  private current: Scenario | undefined;
  log: (line: string) => void;

  constructor(options: { names?: LabNames; log?: (line: string) => void } = {}) {
    this.names = options.names ?? labNamesFromEnv();
    this.paths = labPaths(this.names.stateDir);
    this.log = options.log ?? (() => undefined);
  }

  /** The environment a VM process gets: the lab CA trusted, the lab's mxprobe on PATH. */
  vmEnv(extra: Record<string, string> = {}): Record<string, string> {
    return {
      PATH: `${this.paths.bin}:${process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin'}`,
      HOME: process.env.HOME ?? '/root',
      TERM: process.env.TERM ?? 'dumb',
      NODE_EXTRA_CA_CERTS: this.paths.caCert,
      ...extra,
    };
  }

  /** The pid of the live process that brought this instance up, if there is one. */
  owner(): number | undefined {
    if (!existsSync(this.paths.owner)) return undefined;
    const pid = Number.parseInt(readFileSync(this.paths.owner, 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 && alive(pid) ? pid : undefined;
  }

  /** Whatever of this instance exists (namespaces, stray links, processes, files). */
  leftovers(): Leftovers {
    return findLeftovers(this.names);
  }

  /** Brings the whole lab up on a clean slate; on any failure, tears down what it built. */
  async up(): Promise<{ durationMs: number; leftoversRemoved: Leftovers }> {
    const started = performance.now();
    // A second lab of the same instance would tear the first one apart: refuse while the
    // process that owns it still runs, and clean up after one that does not (a crash).
    const owner = this.owner();
    if (owner !== undefined && owner !== process.pid)
      throw new Error(ownedMessage(this.names, owner));
    const leftoversRemoved = removeAll(this.names);
    const paths = this.paths;
    const ns = this.names.namespaces;
    try {
      mkdirSync(paths.bin, { recursive: true });
      writeFileSync(paths.owner, `${process.pid}\n`);
      this.log(`creating namespaces ${ns.vm}, ${ns.router}, ${ns.inet}`);
      createTopology(this.names);
      this.log('making the lab CA and certificates');
      const good = allHosts().filter((h) => h.behaviour !== 'expired-cert');
      const expired = allHosts().filter((h) => h.behaviour === 'expired-cert');
      const pki = createPki(paths.pki, good, expired);
      this.startDnsmasq();
      await this.startMailServers(pki);

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

  private startDnsmasq(): void {
    const paths = this.paths;
    this.log('starting dnsmasq (the lab zone)');
    writeFileSync(
      paths.dnsmasqConf,
      dnsmasqConfig({
        pidFile: paths.dnsmasqPid,
        logQueries: false,
        vmAddresses: { v4: VM_ADDRESS_V4, v6: VM_ADDRESS_V6 },
      }),
    );
    this.start(
      'dnsmasq',
      inNs(this.names.namespaces.inet, [
        'dnsmasq',
        '--keep-in-foreground',
        '--user=root',
        `--conf-file=${paths.dnsmasqConf}`,
      ]),
      paths.dnsmasqLog,
    );
  }

  /** Starts the mail servers of every lab host and waits until they listen. */
  private async startMailServers(pki: Pki): Promise<void> {
    const paths = this.paths;
    this.log('starting the lab mail servers');
    writeFileSync(paths.serversConf, JSON.stringify(serversConfig(paths, pki), null, 2));
    const servers = this.start(
      'mail servers',
      inNs(this.names.namespaces.inet, [
        process.execPath,
        join(LAB_DIST, 'servers.js'),
        paths.serversConf,
      ]),
      paths.serversLog,
    );
    await waitForLog(
      servers,
      paths.serversLog,
      /^ready /,
      READY_TIMEOUT_MS,
      'the lab mail servers',
    );
  }

  /** Switches the egress policy: both nftables tables replaced atomically, the VM's routes set. */
  apply(name: ScenarioName): Scenario {
    const s = scenario(name);
    const rules = rulesets(s);
    run(inNs(this.names.namespaces.router, ['nft', '-f', '-']), { input: rules.router });
    run(inNs(this.names.namespaces.vm, ['nft', '-f', '-']), { input: rules.vm });
    setVmIpv6Route(this.names, s.vmIpv6Route);
    // The probe set follows the scenario (cloud detection on only where the lab plays a cloud).
    writeProbeSet(this.paths.probeSet, name);
    this.current = s;
    return s;
  }

  get scenario(): Scenario | undefined {
    return this.current;
  }

  /** Runs argv inside the VM namespace (`ip netns exec <vm> argv`); never rejects on exit status. */
  execInVm(argv: string[], options: ExecOptions = {}): Promise<ExecResult> {
    const started = performance.now();
    const child = spawn('ip', ['netns', 'exec', this.names.namespaces.vm, ...argv], {
      env: this.vmEnv(options.env),
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
    let exitedAt = 0;
    child.once('exit', () => (exitedAt = Date.now()));
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
          exitedAt: exitedAt || Date.now(),
        });
      });
    });
  }

  /** `mxprobe ARGS` in the VM, the built CLI run as a user would run it. */
  mxprobe(args: string[], options: ExecOptions = {}): Promise<ExecResult> {
    return this.execInVm([process.execPath, MXPROBE_BIN, ...args], options);
  }

  /** Removes everything of this instance; synchronous, so it also works from an `exit` handler. */
  down(): { durationMs: number; removed: Leftovers } {
    const started = performance.now();
    for (const child of this.children.splice(0)) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    }
    const removed = removeAll(this.names);
    this.current = undefined;
    return { durationMs: Math.round(performance.now() - started), removed };
  }

  /**
   * Starts a lab service in its own process group, so a Ctrl-C at the terminal never hits it,
   * with its output in a log file in the state directory rather than a pipe that would keep this
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

/** Every lab host on both its addresses and every SMTP port, with the lab's certificates. */
function serversConfig(paths: ReturnType<typeof labPaths>, pki: Pki): ServersConfig {
  return {
    listeners: allHosts().flatMap((h) =>
      [h.ipv4, h.ipv6].flatMap((address) =>
        SMTP_PORTS.map((port) => {
          const refusal = port === 25 ? refusalOf(h.name) : undefined;
          return {
            address,
            port,
            name: h.name,
            behaviour: h.behaviour,
            ...(refusal ? { refusal } : {}),
          };
        }),
      ),
    ),
    connectionLog: paths.connections,
    tls: {
      key: pki.serverKey,
      cert: pki.serverCert,
      expiredKey: pki.expiredKey,
      expiredCert: pki.expiredCert,
    },
    blockedClients: [...BLOCKED_CLIENTS],
    vmPublicIp: VM_ADDRESS_V4,
  };
}

/** How an MX host refuses a blocked client: its provider's way; other hosts never refuse. */
function refusalOf(hostName: string): Refusal | undefined {
  const provider = PROVIDERS.find((p) => p.mx.some((mx) => mx.name === hostName));
  return provider?.refusal;
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
