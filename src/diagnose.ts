// Attempts → port statuses → diagnosis (CONTRACT §2–§4). Pure functions, no I/O: everything
// the diagnosis needs arrives as data, cloud-specific advice included.

import type {
  Attempt,
  Diagnosis,
  DiagnosisCode,
  Family,
  FamilyStatus,
  Hint,
  PortReport,
  PortStatus,
  RelayReport,
  TargetReport,
} from './types.js';

export type FamilyStatuses = Partial<Record<'4' | '6', FamilyStatus>>;

/**
 * A family is `no-route` when every one of its attempts, on every port, failed with
 * ENETUNREACH: the machine has no route for it (a VM without IPv6), which is not a block.
 */
export function familyStatuses(attempts: Attempt[]): FamilyStatuses {
  const statuses: FamilyStatuses = {};
  for (const family of [4, 6] as const) {
    const ofFamily = attempts.filter((a) => a.family === family);
    if (ofFamily.length === 0) continue;
    statuses[family] = ofFamily.every((a) => a.errorCode === 'ENETUNREACH') ? 'no-route' : 'ok';
  }
  return statuses;
}

/** The attempts that count toward port statuses and the diagnosis. */
export function countedAttempts(attempts: Attempt[], families: FamilyStatuses): Attempt[] {
  return attempts.filter((a) => families[familyKey(a.family)] !== 'no-route');
}

export function portStatus(attempts: Attempt[]): PortStatus {
  if (attempts.length === 0) return 'unknown';
  const reachable = attempts.filter((a) => a.result === 'reachable').length;
  if (reachable === attempts.length) return 'open';
  if (reachable > 0) return 'partial';
  return attempts.some((a) => a.result === 'blocked') ? 'blocked' : 'filtered';
}

/** One row per probed port, in the order the ports were asked for. */
export function portReports(ports: number[], counted: Attempt[]): PortReport[] {
  return ports.map((port) => {
    const on = counted.filter((a) => a.port === port);
    return {
      port,
      status: portStatus(on),
      reachable: on.filter((a) => a.result === 'reachable').length,
      blocked: on.filter((a) => a.result === 'blocked').length,
      filtered: on.filter((a) => a.result === 'filtered').length,
    };
  });
}

export interface DiagnosisInput {
  targets: TargetReport[];
  attempts: Attempt[];
  families: FamilyStatuses;
  ports: PortReport[];
  relays: RelayReport[];
  /** What the detected cloud documents about port 25 (or general advice), one entry a point. */
  port25Advice: string[];
}

const SUBMISSION_PORTS = new Set([587, 465]);
const DNS_SLOW_MS = 1_000;

export function diagnose(input: DiagnosisInput): Diagnosis {
  const code = diagnosisCode(input);
  const hints = diagnosisHints(input);
  const { summary, advice } = explain(code, input, hints);
  return { code, summary, advice, hints };
}

/** CONTRACT §4, first match wins. */
export function diagnosisCode(input: DiagnosisInput): DiagnosisCode {
  const { targets, ports } = input;
  const counted = countedAttempts(input.attempts, input.families);
  if (!targets.some((t) => t.resolution === 'ok')) return 'dns-failed';
  if (!counted.some((a) => a.result === 'reachable')) return 'egress-blocked';
  const on25 = counted.filter((a) => a.port === 25);
  if (
    on25.length > 0 &&
    !on25.some((a) => a.result === 'reachable') &&
    counted.some((a) => SUBMISSION_PORTS.has(a.port) && a.result === 'reachable')
  ) {
    return 'port25-blocked';
  }
  const probed = ports.filter((p) => p.status !== 'unknown');
  if (probed.some((p) => p.status === 'partial')) return 'partial';
  if (probed.every((p) => p.status === 'open')) return 'ok';
  // Some ports wholly open, others wholly closed, and port 25 not the one cut off (say 465
  // refused while 25 and 587 work): specific destinations fail while others work.
  return 'partial';
}

export function diagnosisHints(input: DiagnosisInput): Hint[] {
  const hints: Hint[] = [];
  if (input.relays.some((r) => r.status === 'ok')) hints.push('relay-ok');
  if (input.relays.some((r) => r.status !== 'ok')) hints.push('relay-failed');
  if (interceptedBy(input.attempts) !== undefined) hints.push('smtp-interception');
  if (input.targets.some((t) => (t.durationMs ?? 0) > DNS_SLOW_MS)) hints.push('dns-slow');
  return hints;
}

/**
 * The one host name that answered port 25 for two or more different target domains, whose MX
 * hosts are not in one DNS zone: something on the path answers in their place.
 */
export function interceptedBy(attempts: Attempt[]): string | undefined {
  const greeted = attempts.filter((a) => a.port === 25 && a.result === 'reachable' && a.greeting);
  const names = new Set(greeted.map((a) => greetingHostName(a.greeting ?? '')));
  const targets = new Set(greeted.map((a) => a.target));
  const zones = new Set(greeted.map((a) => parentZone(a.host)));
  if (names.size !== 1 || targets.size < 2 || zones.size < 2) return undefined;
  const [name] = names;
  return name || undefined;
}

function greetingHostName(greeting: string): string {
  return (greeting.split(/\s+/)[1] ?? '').toLowerCase().replace(/\.$/, '');
}

function parentZone(host: string): string {
  return host.split('.').slice(-2).join('.');
}

interface Explanation {
  summary: string;
  advice: string[];
}

function explain(code: DiagnosisCode, input: DiagnosisInput, hints: Hint[]): Explanation {
  const counted = countedAttempts(input.attempts, input.families);
  const noRoute = noRouteNote(input.families);
  switch (code) {
    case 'dns-failed':
      return {
        summary: `Name resolution failed for every target (${resolutionCounts(input.targets)}); nothing was probed.`,
        advice: [
          'Check the resolver this machine uses (/etc/resolv.conf, systemd-resolved) and that DNS (UDP and TCP port 53) may leave it.',
          'Try another DNS server with --dns-server ADDR to tell a broken resolver from broken names.',
        ],
      };
    case 'egress-blocked':
      return {
        summary: `No SMTP connection got through on any port (${listPorts(input.ports)}): all outbound SMTP is cut here — ${howBlocked(counted)}.${noRoute}`,
        advice: [
          'Check the outbound rules between this machine and the internet: the network security group or security list of the VM and its subnet, the route table (a forced-tunnel route to a firewall or on-premises network), and the VM firewall itself (nft list ruleset, iptables -S).',
          'Check that the machine reaches the internet at all (for example HTTPS to a known site); without a NAT gateway or public IP a private VM has no egress.',
          ...relayAdvice(input.relays),
        ],
      };
    case 'port25-blocked': {
      const on25 = counted.filter((a) => a.port === 25);
      const domains = new Set(on25.map((a) => a.target));
      const works = listPorts(
        input.ports.filter((p) => SUBMISSION_PORTS.has(p.port) && p.reachable > 0),
      );
      const oneDomain =
        domains.size < 2
          ? ' Only one domain was probed on port 25, so a dead or refusing mail server there cannot be told apart from a blocked path: probe a second domain to be sure.'
          : '';
      const relayOk = input.relays.filter((r) => r.status === 'ok').map((r) => r.name);
      const wayOut =
        relayOk.length > 0
          ? ` The configured relay ${relayOk.join(', ')} works: your way out is proven.`
          : '';
      return {
        summary: `Outbound TCP port 25 is blocked on the path — ${howBlocked(on25)} — while ${works} get through. This is how cloud platforms stop VMs from sending mail directly.${oneDomain}${wayOut}${noRoute}`,
        advice: [...input.port25Advice, ...relayAdvice(input.relays)],
      };
    }
    case 'partial': {
      const failing = counted.filter((a) => a.result !== 'reachable');
      return {
        summary: `Some destinations fail while others work (${portSummary(input.ports)}): a destination or route problem, not a blanket egress block.${noRoute}`,
        advice: [
          `Failing: ${describeFailures(failing)}.`,
          ...familyAdvice(counted),
          'Check those servers and the routes to them; a mail server that is down or refuses this network looks like this, and so does a firewall rule for some addresses only.',
          ...relayAdvice(input.relays),
        ],
      };
    }
    case 'ok':
      return {
        summary: `Outbound SMTP works on every probed port (${listPorts(input.ports.filter((p) => p.status === 'open'))}).${noRoute}`,
        advice: hints.includes('smtp-interception')
          ? [interceptionAdvice(input.attempts)]
          : relayAdvice(input.relays),
      };
    default: {
      const never: never = code;
      return never;
    }
  }
}

/** How the blocked attempts were refused, in words: the difference matters to the fix. */
export function howBlocked(attempts: Attempt[]): string {
  const count = (test: (a: Attempt) => boolean): number => attempts.filter(test).length;
  const parts: string[] = [];
  const dropped = count((a) => a.result === 'filtered');
  const refused = count((a) => a.reason === 'refused');
  const icmp = count((a) => a.reason === 'unreachable');
  const other = count(
    (a) => a.result === 'blocked' && a.reason !== 'refused' && a.reason !== 'unreachable',
  );
  const n = (k: number): string => `${k} ${plural(k, 'attempt')}`;
  if (dropped > 0) parts.push(`${n(dropped)} dropped silently (no answer)`);
  if (refused > 0) parts.push(`${n(refused)} refused with a TCP reset`);
  if (icmp > 0)
    parts.push(`${n(icmp)} rejected as unreachable (ICMP prohibited or a local firewall)`);
  if (other > 0) parts.push(`${n(other)} cut off or turned away after connecting`);
  return parts.join(', ') || 'no attempt got through';
}

function interceptionAdvice(attempts: Attempt[]): string {
  return `Port-25 greetings from different providers all come from "${interceptedBy(attempts) ?? '?'}": a proxy or firewall on the path answers in their place. Mail sent "directly" goes to it, not to the provider.`;
}

function relayAdvice(relays: RelayReport[]): string[] {
  return relays
    .filter((r) => r.status !== 'ok')
    .map(
      (r) =>
        `Relay ${r.name} (${r.host}:${r.port}) did not verify: ${r.status}${r.reason ? ` (${r.reason})` : ''}.`,
    );
}

function familyAdvice(counted: Attempt[]): string[] {
  const out: string[] = [];
  for (const family of [4, 6] as const) {
    const ofFamily = counted.filter((a) => a.family === family);
    const other = counted.filter((a) => a.family !== family);
    if (
      ofFamily.length > 0 &&
      other.some((a) => a.result === 'reachable') &&
      ofFamily.every((a) => a.result !== 'reachable')
    ) {
      out.push(
        `Every IPv${family} attempt failed while IPv${family === 4 ? 6 : 4} works: IPv${family} egress for SMTP is blocked on the path.`,
      );
    }
  }
  return out;
}

function describeFailures(failing: Attempt[]): string {
  const shown = failing
    .slice(0, 6)
    .map((a) => `${a.host} ${formatAddress(a)} port ${a.port} ${a.result}/${a.reason}`);
  return shown.join('; ') + (failing.length > 6 ? ` and ${failing.length - 6} more` : '');
}

function formatAddress(a: Attempt): string {
  return a.family === 6 ? `[${a.address}]` : a.address;
}

function noRouteNote(families: FamilyStatuses): string {
  const none = (Object.keys(families) as ('4' | '6')[]).filter((f) => families[f] === 'no-route');
  return none.length > 0
    ? ` This machine has no IPv${none.join('/IPv')} route; those attempts were not counted.`
    : '';
}

function resolutionCounts(targets: TargetReport[]): string {
  const counts = new Map<string, number>();
  for (const t of targets) counts.set(t.resolution, (counts.get(t.resolution) ?? 0) + 1);
  return [...counts].map(([status, n]) => `${status} ×${n}`).join(', ');
}

function listPorts(ports: PortReport[]): string {
  if (ports.length === 0) return 'no port';
  const names = ports.map((p) => String(p.port));
  return `port${names.length > 1 ? 's' : ''} ${names.join(', ')}`;
}

function portSummary(ports: PortReport[]): string {
  return ports.map((p) => `${p.port} ${p.status}`).join(', ');
}

function plural(n: number, word: string): string {
  return n === 1 ? word : `${word}s`;
}

export function familyKey(family: Family): '4' | '6' {
  return family === 4 ? '4' : '6';
}

/** Exit status of `probe --once` (CONTRACT §5): 0 all probed ports open, 1 not, 3 nothing probed. */
export function exitCodeFor(diagnosis: Diagnosis, ports: PortReport[]): 0 | 1 | 3 {
  if (diagnosis.code === 'dns-failed') return 3;
  const probed = ports.filter((p) => p.status !== 'unknown');
  return probed.length > 0 && probed.every((p) => p.status === 'open') ? 0 : 1;
}
