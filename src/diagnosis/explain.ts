// The words of a diagnosis: a summary that says what the pattern means and advice that says
// what to do, fit for the person at the VM. Pure.

import { DELIVERY_PORT, isSubmissionPort, PORT_TABLE } from '../ports.js';
import type {
  Attempt,
  DiagnosisCode,
  FamilyStatuses,
  Hint,
  PortReport,
  RelayReport,
  TargetReport,
} from '../types.js';
import type { DiagnosisInput } from './input.js';
import { interceptedBy } from './interception.js';
import { refusedAdvice, refusedSummary, reputationAdvice } from './reputation-advice.js';

interface Explanation {
  summary: string;
  advice: string[];
}

/** What every explanation reads: the input, and the note about families without a route. */
interface Context {
  input: DiagnosisInput;
  hints: Hint[];
  noRoute: string;
}

export function explain(code: DiagnosisCode, input: DiagnosisInput, hints: Hint[]): Explanation {
  return EXPLANATIONS[code]({ input, hints, noRoute: noRouteNote(input.families) });
}

/** One entry per code: a code added to DIAGNOSIS_CODES without its words does not compile. */
const EXPLANATIONS: Record<DiagnosisCode, (context: Context) => Explanation> = {
  'dns-failed': ({ input }) => ({
    summary: `Name resolution failed for every target (${resolutionCounts(input.targets)}); nothing was probed.`,
    advice: resolverAdvice(input.dnsServers ?? []),
  }),
  'port25-refused': ({ input, noRoute }) => {
    const on25 = input.counted.filter((a) => a.port === DELIVERY_PORT);
    return {
      summary: `${refusedSummary(on25, howBlocked(on25.filter((a) => a.reason !== 'rejected')))}${noRoute}`,
      advice: [
        ...refusedAdvice(input.egress, input.ptrAdvice, input.relays, input.relayPorts),
        ...relayAdvice(input.relays),
      ],
    };
  },
  'egress-blocked': ({ input, noRoute }) => ({
    summary: `No SMTP connection got through on any port (${listPorts(input.ports)}): all outbound SMTP is cut here — ${howBlocked(input.counted)}.${noRoute}`,
    advice: [
      'Check the outbound rules between this machine and the internet: the network security group or security list of the VM and its subnet, the route table (a forced-tunnel route to a firewall or on-premises network), and the VM firewall itself (nft list ruleset, iptables -S).',
      'Check that the machine reaches the internet at all (for example HTTPS to a known site); without a NAT gateway or public IP a private VM has no egress.',
      ...relayAdvice(input.relays),
    ],
  }),
  'port25-blocked': ({ input, noRoute }) => ({
    summary: `${port25BlockedSummary(input)}${noRoute}`,
    advice: [...input.port25Advice, ...relayAdvice(input.relays)],
  }),
  partial: ({ input, noRoute }) => ({
    summary: `Some destinations fail while others work (${portSummary(input.ports)}): a destination or route problem, not a blanket egress block.${noRoute}`,
    advice: [
      `Failing: ${describeFailures(input.counted.filter((a) => a.result !== 'reachable'))}.`,
      ...familyAdvice(input.counted),
      'Check those servers and the routes to them; a mail server that is down or refuses this network looks like this, and so does a firewall rule for some addresses only.',
      ...reputationAdvice(input.egress, input.ptrAdvice),
      ...relayAdvice(input.relays),
    ],
  }),
  ok: ({ input, hints, noRoute }) => {
    const intercepted = hints.includes('smtp-interception');
    return {
      summary: `Outbound SMTP works on every probed port (${listPorts(input.ports.filter((p) => p.status === 'open'))}).${noRoute}`,
      advice: [
        ...(intercepted ? [interceptionAdvice(input.attempts)] : []),
        ...reputationAdvice(input.egress, input.ptrAdvice),
        ...(intercepted ? [] : relayAdvice(input.relays)),
      ],
    };
  },
};

/** Where to look when nothing resolved: the servers the config named, or the system's resolver. */
function resolverAdvice(dnsServers: string[]): string[] {
  if (dnsServers.length === 0) {
    return [
      'Check the resolver this machine uses (/etc/resolv.conf, systemd-resolved) and that DNS (UDP and TCP port 53) may leave it.',
      'Try another DNS server with --dns-server ADDR to tell a broken resolver from broken names.',
    ];
  }
  const one = dnsServers.length === 1;
  return [
    `Check the DNS ${one ? 'server' : 'servers'} mxprobe was told to use (--dns-server or dnsServers: ${dnsServers.join(', ')}): that ${one ? 'it answers' : 'they answer'} recursive queries from this machine and that DNS (UDP and TCP port 53) may reach ${one ? 'it' : 'them'}.`,
    'Try another DNS server, or none (the resolver of /etc/resolv.conf), to tell a broken server from broken names.',
  ];
}

/** Port 25 cut while submission works: how, what works, and how sure the verdict is. */
function port25BlockedSummary(input: DiagnosisInput): string {
  const on25 = input.counted.filter((a) => a.port === DELIVERY_PORT);
  const domains = new Set(on25.map((a) => a.target));
  const works = listPorts(
    input.ports.filter(
      (p) => isSubmissionPort(p.port, input.portTable ?? PORT_TABLE) && p.reachable > 0,
    ),
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
  return `Outbound TCP port 25 is blocked on the path — ${howBlocked(on25)} — while ${works} ${works.startsWith('ports ') ? 'get' : 'gets'} through. This is how cloud platforms stop VMs from sending mail directly.${oneDomain}${wayOut}`;
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

export function relayAdvice(relays: RelayReport[]): string[] {
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
      const failed = `Every IPv${family} attempt failed while IPv${family === 4 ? 6 : 4} works`;
      const targets = new Set(ofFamily.map((a) => a.target));
      // One destination cannot tell a blocked path from a server that does not listen there.
      out.push(
        targets.size < 2
          ? `${failed}, but every IPv${family} attempt went to one target (${[...targets].join('')}): that destination may be at fault (a server that does not listen on IPv${family}); probe a second target to tell it from a blocked path.`
          : `${failed}: IPv${family} egress for SMTP is blocked on the path.`,
      );
    }
  }
  return out;
}

function describeFailures(failing: Attempt[]): string {
  const shown = failing
    .slice(0, 6)
    .map((a) => `${hostAndAddress(a)} port ${a.port} ${a.result}/${a.reason}`);
  return shown.join('; ') + (failing.length > 6 ? ` and ${failing.length - 6} more` : '');
}

/** "mx.example 192.0.2.25", or the address alone when the target named it (no host name). */
function hostAndAddress(a: Attempt): string {
  const address = a.family === 6 ? `[${a.address}]` : a.address;
  return a.host === a.address ? address : `${a.host} ${address}`;
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
