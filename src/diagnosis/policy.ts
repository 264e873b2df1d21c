// The detected cloud's documented port policy set against what this pass saw (CONTRACT §4, §9):
// whether the shut ports are the ones the platform blocks, the hint blocked-beyond-policy when
// one is not, and which submission ports advice may still recommend. Pure.

import { PORT_TABLE, standardSubmissionPorts, type PortProfile } from '../ports.js';
import type { Attempt, DiagnosisCode, PortPolicy, PortReport, RelayReport } from '../types.js';
import { portList } from '../util/relay-words.js';
import { relayAdvice } from './explain.js';
import type { DiagnosisInput } from './input.js';

/** What the policy rules need from a pass: the detected cloud, its policy, the port verdicts. */
export interface PolicyView {
  /** The detected cloud's name; null when no cloud was detected. */
  cloudName: string | null;
  policy: PortPolicy | null;
  ports: PortReport[];
  relays: RelayReport[];
  /** The attempts, so that a port whose servers refused this machine is not counted as shut. */
  attempts?: Attempt[];
}

const SHUT = new Set(['blocked', 'filtered']);

/** The probed ports this pass found `filtered` or `blocked`, and the relay ports that were. */
export function shutPorts(ports: PortReport[], relays: RelayReport[] = []): number[] {
  const fromPorts = ports.filter((p) => SHUT.has(p.status)).map((p) => p.port);
  const fromRelays = relays.filter((r) => SHUT.has(r.status)).map((r) => r.port);
  return [...new Set([...fromPorts, ...fromRelays])];
}

/**
 * Shut ports the detected cloud's policy does not block: the cloud is not their cause. A port
 * where mail servers answered and refused this machine (`rejected`) is no network block.
 */
export function beyondPolicy(view: PolicyView): number[] {
  if (view.cloudName === null) return [];
  const blocked = new Set(view.policy?.blockedPorts ?? []);
  const refused = new Set(
    (view.attempts ?? []).filter((a) => a.reason === 'rejected').map((a) => a.port),
  );
  return shutPorts(view.ports, view.relays).filter(
    (port) => !blocked.has(port) && !refused.has(port),
  );
}

/** Ports where something answered: a reachable attempt, or a relay that spoke SMTP. */
function answeredPorts(ports: PortReport[], relays: RelayReport[]): Set<number> {
  const spoke = new Set(['ok', 'auth-failed', 'tls-failed']);
  return new Set([
    ...ports.filter((p) => p.reachable > 0).map((p) => p.port),
    ...relays.filter((r) => spoke.has(r.status)).map((r) => r.port),
  ]);
}

/**
 * The submission ports advice may recommend: the standard ones (587, 465) unless this pass
 * found them shut or the policy blocks them, then an alternative port (2525) where something
 * answered on it.
 */
export function recommendedRelayPorts(
  view: Pick<PolicyView, 'policy' | 'ports' | 'relays'>,
  table: readonly PortProfile[] = PORT_TABLE,
): number[] {
  const shut = new Set(shutPorts(view.ports, view.relays));
  const blocked = new Set(view.policy?.blockedPorts ?? []);
  const answered = answeredPorts(view.ports, view.relays);
  const standard = standardSubmissionPorts(table).filter((p) => !shut.has(p) && !blocked.has(p));
  const alternatives = table
    .filter((p) => p.alternative === true && answered.has(p.port) && !shut.has(p.port))
    .map((p) => p.port);
  return [...standard, ...alternatives];
}

/**
 * One sentence for the summary: whether the shut ports are what the platform documents.
 * '' when no cloud was detected or nothing is shut.
 */
export function policyStatement(view: PolicyView): string {
  const shut = shutPorts(view.ports, view.relays).sort((a, b) => a - b);
  if (view.cloudName === null || shut.length === 0) return '';
  const beyond = beyondPolicy(view);
  const within = shut.filter((p) => !beyond.includes(p));
  const parts: string[] = [];
  if (within.length > 0 && view.policy !== null) {
    parts.push(
      `${portWord(within)} ${portList(within)} shut: as ${view.cloudName} documents for ${view.policy.who}.`,
    );
  }
  if (beyond.length > 0) {
    const policyWords =
      view.policy === null
        ? `${view.cloudName} documents no default block`
        : `${view.cloudName}'s policy blocks only ${portList(view.policy.blockedPorts)}`;
    parts.push(
      `${portWord(beyond)} ${portList(beyond)} shut beyond policy: ${policyWords}, so the platform is not the cause.`,
    );
  }
  return parts.join(' ');
}

/** Where to look when a port is shut that the platform does not block. */
export function beyondPolicyAdvice(view: PolicyView): string[] {
  const beyond = beyondPolicy(view);
  if (beyond.length === 0) return [];
  return [
    `${portWord(beyond)} ${portList(beyond)} ${beyond.length > 1 ? 'are' : 'is'} shut although ${view.cloudName ?? 'the platform'} does not block ${beyond.length > 1 ? 'them' : 'it'}: check this VM's own firewall (nft list ruleset, iptables -S), its security group, NSG or cloud firewall rules, and the network in between.`,
  ];
}

/**
 * True when every shut port is one the policy blocks: an "all SMTP cut" pattern is then the
 * platform's documented block, not a firewall or a missing route.
 */
export function explainedByPolicy(view: PolicyView): boolean {
  return (
    view.policy !== null &&
    shutPorts(view.ports, view.relays).length > 0 &&
    beyondPolicy(view).length === 0
  );
}

function portWord(ports: number[]): string {
  return ports.length > 1 ? 'Ports' : 'Port';
}

/** The policy view of a diagnosis input; null when no cloud was detected. */
export function policyViewOf(input: DiagnosisInput): PolicyView | null {
  if (input.cloudName == null) return null;
  return {
    cloudName: input.cloudName,
    policy: input.policy ?? null,
    ports: input.ports,
    relays: input.relays,
    attempts: input.attempts,
  };
}

/** The hint of a shut port the detected cloud does not block. */
export function policyHints(input: DiagnosisInput): 'blocked-beyond-policy'[] {
  const view = policyViewOf(input);
  return view !== null && beyondPolicy(view).length > 0 ? ['blocked-beyond-policy'] : [];
}

/**
 * A diagnosis's words with the policy in them: the summary says whether the shut ports match
 * the platform's policy; every standard port cut by the platform's own documented block is
 * advised as that block (its exemption path), not as a firewall; a port shut beyond the
 * policy points at the VM's own firewall; a relay that answered on 2525 is named.
 */
export function withPolicy(
  code: DiagnosisCode,
  explanation: { summary: string; advice: string[] },
  input: DiagnosisInput,
): { summary: string; advice: string[] } {
  const view = policyViewOf(input);
  if (view === null) return explanation;
  const statement = policyStatement(view);
  const summary = statement === '' ? explanation.summary : `${explanation.summary} ${statement}`;
  const byPolicy = code === 'egress-blocked' && explainedByPolicy(view);
  const advice = byPolicy
    ? [...input.port25Advice, ...relayAdvice(input.relays)]
    : explanation.advice;
  return {
    summary,
    advice: [...beyondPolicyAdvice(view), ...advice, ...alternativePortAdvice(view, input)],
  };
}

/** When every standard submission port is shut and something answered on 2525, say so. */
function alternativePortAdvice(view: PolicyView, input: DiagnosisInput): string[] {
  const table = input.portTable ?? PORT_TABLE;
  const recommended = recommendedRelayPorts(view, table);
  const standard = standardSubmissionPorts(table);
  if (recommended.length === 0 || recommended.some((p) => standard.includes(p))) return [];
  return [
    `${portWord(recommended)} ${portList(recommended)} answered while the standard submission ports are shut: relays listen there for this reason (SendGrid, Mailgun, Postmark, SMTP2GO and Brevo document port 2525), so point your mail server's relay at port ${portList(recommended)}.`,
  ];
}
