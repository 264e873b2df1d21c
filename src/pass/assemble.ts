// A pass's findings → the report: the attempts tallied once (families, what counts, port
// statuses), the environment with its cloud's policy and advice, and the diagnosis made from
// them (the sender identity's hints and advice after the diagnosis' own). Pure.

import { cloudAdvice, ptrAdvice } from '../clouds/advice.js';
import { cloudName, cloudPolicy } from '../clouds/policy.js';
import type { CloudFacts } from '../clouds/registry.js';
import { diagnose } from '../diagnosis/diagnose.js';
import { recommendedRelayPorts } from '../diagnosis/policy.js';
import { tallyAttempts } from '../diagnosis/port-status.js';
import { withIdentity } from '../identity/diagnosis.js';
import type {
  Attempt,
  EgressReport,
  IdentityReport,
  RelayReport,
  Report,
  TargetReport,
  TargetSpec,
} from '../types.js';
import { LocalFailureError } from './local-failure.js';

export interface Findings {
  startedAt: Date;
  durationMs: number;
  hostname: string;
  /** What was asked for: the order of the report's ports is the order of first asking. */
  targetSpecs: TargetSpec[];
  /** The DNS servers the config named, for the advice when nothing resolved. */
  dnsServers: string[];
  targets: TargetReport[];
  attempts: Attempt[];
  relays: RelayReport[];
  cloud: CloudFacts;
  egress: EgressReport;
  /** Unset when the config has no identity: section. */
  identity?: IdentityReport | undefined;
}

/** The report of a pass; throws LocalFailureError when a port was left without a verdict. */
export function assembleReport(findings: Findings): Report {
  const { targets, attempts, relays, egress, identity } = findings;
  const { families, counted, ports, lostPorts } = tallyAttempts(
    attempts,
    uniquePorts(findings.targetSpecs),
  );
  if (lostPorts.length > 0) {
    throw new LocalFailureError(
      lostPorts,
      attempts.filter((a) => a.result === 'error'),
    );
  }
  const policy = cloudPolicy(findings.cloud);
  const environment = { ...findings.cloud, hostname: findings.hostname, families, policy };
  const relayPorts = recommendedRelayPorts({ policy, ports, relays });
  const ptr = ptrAdvice(environment);
  const diagnosis = withIdentity(
    diagnose({
      targets,
      attempts,
      families,
      counted,
      ports,
      relays,
      egress,
      dnsServers: findings.dnsServers,
      port25Advice: cloudAdvice(environment, relayPorts),
      ptrAdvice: ptr,
      cloudName: cloudName(findings.cloud),
      policy,
      relayPorts,
    }),
    identity,
    egress.addresses,
    ptr,
  );
  return {
    schemaVersion: 1,
    startedAt: findings.startedAt.toISOString(),
    durationMs: findings.durationMs,
    environment,
    targets,
    attempts,
    ports,
    relays,
    egress,
    ...(identity === undefined ? {} : { identity }),
    diagnosis,
  };
}

/** Every port asked for, in the order first asked. */
function uniquePorts(targets: TargetSpec[]): number[] {
  return [...new Set(targets.flatMap((t) => t.ports))];
}
