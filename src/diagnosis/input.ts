import type { PortProfile } from '../ports.js';
import type {
  Attempt,
  EgressReport,
  FamilyStatuses,
  PortPolicy,
  PortReport,
  RelayReport,
  TargetReport,
} from '../types.js';

/** Everything a diagnosis is made from: the pass's results, and the advice of the platform. */
export interface DiagnosisInput {
  targets: TargetReport[];
  attempts: Attempt[];
  families: FamilyStatuses;
  /** The attempts that count (`countedAttempts`), computed once by whoever tallied them. */
  counted: Attempt[];
  ports: PortReport[];
  relays: RelayReport[];
  /** The egress addresses and their PTR and DNSBL findings (none when nothing was checked). */
  egress?: EgressReport;
  /** What the detected cloud documents about port 25 (or general advice), one entry a point. */
  port25Advice: string[];
  /** Who sets the PTR record of an egress address where this machine runs, and how. */
  ptrAdvice?: string;
  /** The DNS servers the config named (--dns-server, dnsServers); none: the system resolver. */
  dnsServers?: string[];
  /** The detected cloud's name (null or absent: no cloud detected) and its documented policy. */
  cloudName?: string | null;
  policy?: PortPolicy | null;
  /** The submission ports advice may recommend (diagnosis/policy.ts); 587 and 465 if absent. */
  relayPorts?: readonly number[];
  /** What each port is; the shipped table unless a test hands in its own. */
  portTable?: readonly PortProfile[];
}
