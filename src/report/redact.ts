// The report as `/status` shows it to a client that has not authenticated: the identifiers of
// the cloud account and the machine (each cloud module names its `identifierFields`: Azure's
// subscription and VM ids, AWS's account and instance ids, GCP's project id) are replaced by
// "redacted", in the environment and wherever the diagnosis quotes them. Everything else stays:
// the metrics already show targets, hosts, ports and relays, and the diagnosis is the point.
// Pure.

import { factsOf, type AnyCloud } from '../clouds/cloud.js';
import { REGISTERED_CLOUDS } from '../clouds/registry.js';
import type { Report } from '../types.js';

export const REDACTED = 'redacted';

/** The report with its identifiers hidden and `redacted` listing them; as it was without any. */
export type RedactedReport = Report & { redacted?: string[] };

export function redactIdentifiers(
  report: Report,
  clouds: readonly AnyCloud[] = REGISTERED_CLOUDS,
): RedactedReport {
  const redactedFacts: Record<string, unknown> = {};
  const hidden: string[] = [];
  const paths: string[] = [];
  for (const cloud of clouds) {
    const facts = factsOf(report.environment, cloud) as Record<string, unknown> | undefined;
    if (facts === undefined) continue;
    const copy = { ...facts };
    for (const field of cloud.identifierFields) {
      const value = copy[field];
      if (typeof value !== 'string' || value === '') continue;
      copy[field] = REDACTED;
      hidden.push(value);
      paths.push(`environment.${cloud.id}.${field}`);
    }
    redactedFacts[cloud.id] = copy;
  }
  if (paths.length === 0) return report;
  // Longest first, so an identifier that contains another is replaced whole.
  hidden.sort((a, b) => b.length - a.length);
  const scrub = (text: string): string =>
    hidden.reduce((out, value) => out.split(value).join(REDACTED), text);
  return {
    ...report,
    environment: { ...report.environment, ...redactedFacts },
    diagnosis: {
      ...report.diagnosis,
      summary: scrub(report.diagnosis.summary),
      advice: report.diagnosis.advice.map(scrub),
    },
    redacted: paths,
  };
}
