// The lab's plumbing: three network namespaces joined by veth pairs, their addresses and
// routes, and the cleanup that removes every trace of them. Every name comes from the
// instance (instance.ts); the drawing shows the default instance's.
//
//    mxl-vm                    mxl-router                    mxl-inet
//   ┌──────────┐  veth   ┌──────────────────────┐  veth   ┌──────────────────────┐
//   │ mxl-vm0  ├─────────┤ mxl-rt-vm  mxl-rt-inet├─────────┤ mxl-inet0            │
//   │ 192.0.2.2│         │ 192.0.2.1  192.0.2.9 │         │ 192.0.2.10           │
//   └──────────┘         │ nftables forward chain│         │ lo: every lab host,  │
//    the cloud VM        │ = the egress policy   │         │ DNS, SMTP servers    │
//                        └──────────────────────┘         └──────────────────────┘
//
// Nothing is connected to the host's own namespace: no lab packet can leave the machine.
// Every step is synchronous so that teardown can run from an `exit` handler as well.

import { execFileSync, type ExecFileSyncOptions } from 'node:child_process';
import { existsSync, mkdirSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { linkList, namespaceList, type LabNames } from './instance.js';
import { allHosts, DNS_SERVER_V4, DNS_SERVER_V6, METADATA_ADDRESS } from './zone.js';

/** Link networks (documentation ranges: 192.0.2.0/24 and 2001:db8:0::/48). */
export const VM_ADDRESS_V4 = '192.0.2.2';
export const VM_ADDRESS_V6 = '2001:db8:0:1::2';
const ROUTER_VM_SIDE_V4 = '192.0.2.1';
const ROUTER_VM_SIDE_V6 = '2001:db8:0:1::1';
const ROUTER_INET_SIDE_V4 = '192.0.2.9';
const ROUTER_INET_SIDE_V6 = '2001:db8:0:2::1';
const INET_V4 = '192.0.2.10';
const INET_V6 = '2001:db8:0:2::2';
/**
 * The RFC 2544 benchmarking range: the bench puts hundreds of extra hosts here, on the
 * internet namespace's loopback (addInetAddresses), to probe a pass at scale.
 */
export const BENCHMARK_PREFIX_V4 = '198.18.0.0/15';
/** What lives behind the internet namespace (see zone.ts for the hosts in them). */
const INET_PREFIXES_V4 = ['198.51.100.0/24', '203.0.113.0/24', BENCHMARK_PREFIX_V4];
const INET_PREFIX_V6 = '2001:db8:100::/40';

export class CommandError extends Error {
  constructor(
    readonly argv: readonly string[],
    readonly stderr: string,
    options: { cause: unknown },
  ) {
    super(`${argv.join(' ')} failed: ${stderr.trim() || String(options.cause)}`, options);
    this.name = 'CommandError';
  }
}

/** Runs one command and returns its stdout; a failure becomes a CommandError with stderr. */
export function run(
  argv: readonly string[],
  options: { input?: string; timeoutMs?: number } = {},
): string {
  const [file, ...args] = argv;
  if (file === undefined) throw new Error('run: empty argv');
  const execOptions: ExecFileSyncOptions = {
    stdio: ['pipe', 'pipe', 'pipe'],
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 30_000,
  };
  if (options.input !== undefined) execOptions.input = options.input;
  try {
    return execFileSync(file, args, execOptions) as unknown as string;
  } catch (error) {
    const stderr = (error as { stderr?: Buffer | string }).stderr;
    throw new CommandError(argv, stderr === undefined ? '' : String(stderr), { cause: error });
  }
}

/** Like run, but a failure is expected and ignored (cleanup of things that may not exist). */
function tryRun(argv: readonly string[], options: { input?: string } = {}): boolean {
  try {
    run(argv, options);
    return true;
  } catch {
    return false;
  }
}

export const inNs = (ns: string, argv: readonly string[]): string[] => [
  'ip',
  'netns',
  'exec',
  ns,
  ...argv,
];

/** Feeds many `ip` commands to one process: hundreds of addresses in milliseconds. */
function ipBatch(ns: string, commands: string[]): void {
  run(['ip', '-n', ns, '-batch', '-'], { input: `${commands.join('\n')}\n` });
}

/**
 * Sets kernel parameters inside a namespace. Writes /proc/sys directly (from a shell inside
 * the namespace, where /proc/sys/net is that namespace's) rather than needing procps' sysctl.
 */
function sysctl(ns: string, settings: Record<string, string>): void {
  const script = Object.entries(settings)
    .map(([key, value]) => `echo ${value} > /proc/sys/${key.replaceAll('.', '/')}`)
    .join(' && ');
  run(inNs(ns, ['sh', '-c', script]));
}

/** Builds the instance's namespaces, links, addresses and routes; expects a clean slate. */
export function createTopology(names: LabNames): void {
  const ns = names.namespaces;
  const link = names.links;
  for (const name of namespaceList(names)) createNamespace(name);
  sysctl(ns.router, { 'net.ipv4.ip_forward': '1', 'net.ipv6.conf.all.forwarding': '1' });
  vethPair(link.vm, ns.vm, link.routerVm, ns.router);
  vethPair(link.inet, ns.inet, link.routerInet, ns.router);

  ipBatch(ns.vm, [
    `addr add ${VM_ADDRESS_V4}/29 dev ${link.vm}`,
    `addr add ${VM_ADDRESS_V6}/64 dev ${link.vm} nodad`,
    `link set ${link.vm} up`,
    `route add default via ${ROUTER_VM_SIDE_V4}`,
    `route add ::/0 via ${ROUTER_VM_SIDE_V6}`,
  ]);
  ipBatch(ns.router, [
    `addr add ${ROUTER_VM_SIDE_V4}/29 dev ${link.routerVm}`,
    `addr add ${ROUTER_VM_SIDE_V6}/64 dev ${link.routerVm} nodad`,
    `addr add ${ROUTER_INET_SIDE_V4}/29 dev ${link.routerInet}`,
    `addr add ${ROUTER_INET_SIDE_V6}/64 dev ${link.routerInet} nodad`,
    `link set ${link.routerVm} up`,
    `link set ${link.routerInet} up`,
    ...INET_PREFIXES_V4.map((p) => `route add ${p} via ${INET_V4}`),
    `route add ${INET_PREFIX_V6} via ${INET_V6}`,
  ]);
  ipBatch(ns.inet, [
    `addr add ${INET_V4}/29 dev ${link.inet}`,
    `addr add ${INET_V6}/64 dev ${link.inet} nodad`,
    `link set ${link.inet} up`,
    ...hostAddressCommands(),
    `route add default via ${ROUTER_INET_SIDE_V4}`,
    `route add ::/0 via ${ROUTER_INET_SIDE_V6}`,
  ]);

  // The VM resolves through the lab's DNS server, so mxprobe runs with its system resolver.
  mkdirSync(names.vmEtc, { recursive: true });
  writeFileSync(
    `${names.vmEtc}/resolv.conf`,
    `# mxprobe lab\nnameserver ${DNS_SERVER_V4}\noptions timeout:1 attempts:2\n`,
  );
}

/** One namespace with its loopback up and the kernel settings every lab namespace shares. */
function createNamespace(name: string): void {
  run(['ip', 'netns', 'add', name]);
  // Addresses must be usable at once: no IPv6 duplicate address detection in the lab.
  sysctl(name, {
    'net.ipv6.conf.all.accept_dad': '0',
    'net.ipv6.conf.default.accept_dad': '0',
    'net.ipv6.conf.all.accept_ra': '0',
    'net.ipv6.conf.default.accept_ra': '0',
    // The kernel sends at most about one ICMP error per second per destination by default;
    // with a dozen attempts at once, icmp25 and local-fw would answer some and silently drop
    // the rest. The lab wants each scenario to mean one thing, so it answers every time.
    'net.ipv4.icmp_ratelimit': '0',
    'net.ipv6.icmp.ratelimit': '0',
  });
  run(['ip', '-n', name, 'link', 'set', 'lo', 'up']);
}

/**
 * A veth pair whose ends are born inside their namespaces: no lab link ever appears in the
 * host's namespace for longer than the kernel needs to move it.
 */
function vethPair(name: string, ns: string, peer: string, peerNs: string): void {
  run([
    'ip',
    'link',
    'add',
    name,
    'netns',
    ns,
    'type',
    'veth',
    'peer',
    'name',
    peer,
    'netns',
    peerNs,
  ]);
}

/** The internet namespace owns every lab host's addresses, on its loopback like anycast VIPs. */
function hostAddressCommands(): string[] {
  return [
    ...allHosts().flatMap((h) => [
      `addr add ${h.ipv4}/32 dev lo`,
      `addr add ${h.ipv6}/128 dev lo nodad`,
    ]),
    `addr add ${DNS_SERVER_V4}/32 dev lo`,
    `addr add ${DNS_SERVER_V6}/128 dev lo nodad`,
    `addr add ${METADATA_ADDRESS}/32 dev lo`,
  ];
}

/** Puts more host addresses (IPv4, /32) on the internet namespace's loopback, in one batch. */
export function addInetAddresses(names: LabNames, addresses: readonly string[]): void {
  if (addresses.length === 0) return;
  ipBatch(
    names.namespaces.inet,
    addresses.map((a) => `addr add ${a}/32 dev lo`),
  );
}

/** Gives the VM its IPv6 default route back, or takes it away (`no-v6`). */
export function setVmIpv6Route(names: LabNames, present: boolean): void {
  const vm = names.namespaces.vm;
  if (present) run(['ip', '-n', vm, '-6', 'route', 'replace', 'default', 'via', ROUTER_VM_SIDE_V6]);
  else tryRun(['ip', '-n', vm, '-6', 'route', 'del', 'default']);
}

/** The instance's namespaces that exist now (`ip netns list` lines: "mxl-vm (id: 3)"). */
export function existingNamespaces(names: LabNames): string[] {
  let out = '';
  try {
    out = run(['ip', 'netns', 'list']);
  } catch {
    return [];
  }
  const present = new Set(out.split('\n').map((line) => line.split(' ')[0] ?? ''));
  return namespaceList(names).filter((name) => present.has(name));
}

/** The instance's links found in the host's namespace (only after a crash between add and move). */
export function strayLinks(names: LabNames): string[] {
  const out = run(['ip', '-o', 'link', 'show']);
  const present = new Set(
    out.split('\n').map((line) => /^\d+:\s+([^:@\s]+)/.exec(line)?.[1] ?? ''),
  );
  return linkList(names).filter((name) => present.has(name));
}

/** Process ids running inside a namespace: the lab's DNS and SMTP servers, shells, probes. */
export function namespacePids(ns: string): number[] {
  try {
    return run(['ip', 'netns', 'pids', ns])
      .split('\n')
      .map((s) => Number.parseInt(s, 10))
      .filter((n) => Number.isInteger(n) && n > 0);
  } catch {
    return [];
  }
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const sleepSync = (ms: number): void => {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
};

/** Stops the given processes: SIGTERM, then SIGKILL for any still there after graceMs. */
export function stopProcesses(pids: number[], graceMs = 2_000): void {
  const self = process.pid;
  const targets = pids.filter((p) => p !== self);
  for (const pid of targets) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  const deadline = Date.now() + graceMs;
  while (targets.some(alive) && Date.now() < deadline) sleepSync(20);
  for (const pid of targets.filter(alive)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

export interface Leftovers {
  namespaces: string[];
  links: string[];
  pids: number[];
  files: string[];
}

/** Everything of this instance that exists now; all empty means it is gone. */
export function findLeftovers(names: LabNames): Leftovers {
  const namespaces = existingNamespaces(names);
  const files = [
    names.stateDir,
    ...namespaceList(names).map((ns) => `${names.netnsEtc}/${ns}`),
  ].filter((f) => existsSync(f));
  return {
    namespaces,
    links: strayLinks(names),
    pids: namespaces.flatMap(namespacePids),
    files,
  };
}

/**
 * Removes every namespace, link, process and file of this instance, whoever left them: this
 * run or an earlier one that crashed. Never touches another instance's. Safe to call at any
 * time and any number of times; never throws.
 */
export function removeAll(names: LabNames): Leftovers {
  const found = findLeftovers(names);
  // Processes first: deleting a namespace does not stop what runs inside it.
  stopProcesses(found.pids);
  for (const ns of found.namespaces) tryRun(['ip', 'netns', 'delete', ns]);
  for (const link of found.links) tryRun(['ip', 'link', 'delete', link]);
  for (const file of found.files) rmSync(file, { recursive: true, force: true });
  // /etc/netns itself goes when no lab (nor anything else) uses it any more. rmdir removes
  // only an empty directory, in one step: another instance creating its entry at the same
  // moment makes it fail harmlessly instead of losing that entry.
  try {
    rmdirSync(names.netnsEtc);
  } catch {
    // not empty, or already gone
  }
  return found;
}
