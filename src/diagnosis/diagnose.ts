// Attempts, ports and relays → the diagnosis: its code (first match wins), the hints beside it,
// and the words for the person at the VM (diagnosis/explain.ts). Pure functions, no I/O:
// everything the diagnosis needs arrives as data, cloud-specific advice included.

import { DELIVERY_PORT, isSubmissionPort, PORT_TABLE } from '../ports.js';
import type { Diagnosis, DiagnosisCode, Hint } from '../types.js';
import { explain } from './explain.js';
import type { DiagnosisInput } from './input.js';
import { interceptedBy } from './interception.js';
import { policyHints, withPolicy } from './policy.js';
import { reputationHints } from './reputation-advice.js';

export type { DiagnosisInput } from './input.js';

const DNS_SLOW_MS = 1_000;

export function diagnose(input: DiagnosisInput): Diagnosis {
  const code = diagnosisCode(input);
  const hints = diagnosisHints(input);
  const { summary, advice } = withPolicy(code, explain(code, input, hints), input);
  return { code, summary, advice, hints };
}

/** The diagnosis code: the first rule that matches wins (docs/reference.md, "Diagnosis"). */
export function diagnosisCode(input: DiagnosisInput): DiagnosisCode {
  const { targets, ports } = input;
  const { counted } = input;
  if (!targets.some((t) => t.resolution === 'ok')) return 'dns-failed';
  const on25 = counted.filter((a) => a.port === DELIVERY_PORT);
  // Mail servers answered on 25 and turned this machine away: the path is open.
  if (
    on25.length > 0 &&
    !on25.some((a) => a.result === 'reachable') &&
    on25.some((a) => a.reason === 'rejected')
  ) {
    return 'port25-refused';
  }
  if (!counted.some((a) => a.result === 'reachable')) return 'egress-blocked';
  const table = input.portTable ?? PORT_TABLE;
  if (
    on25.length > 0 &&
    !on25.some((a) => a.result === 'reachable') &&
    counted.some((a) => isSubmissionPort(a.port, table) && a.result === 'reachable')
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
  hints.push(...reputationHints(input.egress));
  hints.push(...policyHints(input));
  return hints;
}
