// A report → the metric series it stands for. Pure, so the exposition (report/metrics.ts) only
// hands these samples to prom-client, and tests read them without a registry.
//
// State sets are complete: every value of each set (types.ts lists them) gets a series, so a 0
// series lets PromQL tell "not blocked" apart from "not probed".

import { canarySeries } from './canary-series.js';
import { factsOf, type AnyCloud } from '../clouds/cloud.js';
import { REGISTERED_CLOUDS } from '../clouds/registry.js';
import { identitySeries } from './identity-series.js';
import {
  DIAGNOSIS_CODES,
  DNSBL_STATUSES,
  PORT_STATUSES,
  RESULTS,
  type Attempt,
  type EgressReport,
  type Environment,
  type Report,
} from '../types.js';

import type { Labels, Sample } from './sample.js';

export type { Labels, Sample } from './sample.js';

/** The gauge series one report stands for, by metric. */
export interface ReportSeries {
  probeResult: Sample[];
  probeDuration: Sample[];
  portStatus: Sample[];
  diagnosis: Sample[];
  tlsCertExpiry: Sample[];
  relayUp: Sample[];
  relayVerifyDuration: Sample[];
  environmentInfo: Sample[];
  portPolicyBlocked: Sample[];
  egressPtrOk: Sample[];
  dnsblListed: Sample[];
  dnsblLookupStatus: Sample[];
  ehloOk: Sample[];
  spfResult: Sample[];
  dmarcPolicy: Sample[];
  dkimKeyPresent: Sample[];
  canaryStatus: Sample[];
  canaryDeliverySeconds: Sample[];
  canaryAuthResult: Sample[];
}

function attemptLabels(attempt: Attempt): Labels {
  return {
    target: attempt.target,
    host: attempt.host,
    address: attempt.address,
    port: String(attempt.port),
  };
}

/** Maps one report to its gauge series. Pure. */
export function seriesFromReport(report: Report): ReportSeries {
  const canaries = canarySeries(report.canaries ?? []);
  return {
    canaryStatus: canaries.status,
    canaryDeliverySeconds: canaries.deliverySeconds,
    canaryAuthResult: canaries.authResult,
    probeResult: report.attempts.flatMap((attempt) =>
      RESULTS.map((result) => ({
        labels: { ...attemptLabels(attempt), result },
        value: attempt.result === result ? 1 : 0,
      })),
    ),
    probeDuration: report.attempts.map((attempt) => ({
      labels: attemptLabels(attempt),
      value: attempt.durationMs / 1000,
    })),
    portStatus: report.ports.flatMap((port) =>
      PORT_STATUSES.map((status) => ({
        labels: { port: String(port.port), status },
        value: port.status === status ? 1 : 0,
      })),
    ),
    diagnosis: DIAGNOSIS_CODES.map((code) => ({
      labels: { code },
      value: report.diagnosis.code === code ? 1 : 0,
    })),
    tlsCertExpiry: certificateExpiries(report.attempts),
    relayUp: report.relays.map((relay) => ({
      labels: { relay: relay.name },
      value: relay.status === 'ok' ? 1 : 0,
    })),
    relayVerifyDuration: report.relays.map((relay) => ({
      labels: { relay: relay.name },
      value: relay.durationMs / 1000,
    })),
    environmentInfo: [{ labels: environmentLabels(report.environment), value: 1 }],
    portPolicyBlocked: policySeries(report),
    ...egressSeries(report.egress),
    ...identitySeries(report.identity),
  };
}

/**
 * CONTRACT §10: PTR ok per egress address; listed (1) or clean (0) per address and zone, no
 * series when the zone refused or failed (neither is a verdict); and the lookup's status as a
 * complete state set. At most one address per family: bounded by the configured zones.
 */
export function egressSeries(
  egress: EgressReport,
): Pick<ReportSeries, 'egressPtrOk' | 'dnsblListed' | 'dnsblLookupStatus'> {
  const zoneLabels = egress.addresses.flatMap((a) =>
    a.dnsbl.map((d) => ({ labels: { address: a.address, zone: d.zone }, status: d.status })),
  );
  return {
    egressPtrOk: egress.addresses.map((a) => ({
      labels: { address: a.address },
      value: a.ptr.status === 'ok' ? 1 : 0,
    })),
    dnsblListed: zoneLabels
      .filter((z) => z.status === 'listed' || z.status === 'clean')
      .map((z) => ({ labels: z.labels, value: z.status === 'listed' ? 1 : 0 })),
    dnsblLookupStatus: zoneLabels.flatMap((z) =>
      DNSBL_STATUSES.map((status) => ({
        labels: { ...z.labels, status },
        value: z.status === status ? 1 : 0,
      })),
    ),
  };
}

/**
 * CONTRACT §9: 1 for each port the detected cloud's policy blocks, 0 for each other probed
 * port, so that a rule can join a shut port against its policy; no series outside a cloud.
 */
export function policySeries(report: Pick<Report, 'environment' | 'ports'>): Sample[] {
  if (report.environment.cloud === 'none') return [];
  const blocked = report.environment.policy?.blockedPorts ?? [];
  const ports = [...new Set([...blocked, ...report.ports.map((p) => p.port)])];
  return ports.map((port) => ({
    labels: { port: String(port) },
    value: blocked.includes(port) ? 1 : 0,
  }));
}

/**
 * The earliest certificate expiry per target, host and port: the addresses of one host may
 * serve different certificates, and the one that expires first is the one to act on.
 */
function certificateExpiries(attempts: Attempt[]): Sample[] {
  const earliest = new Map<string, Sample>();
  for (const attempt of attempts) {
    const validTo = attempt.tls?.validTo;
    if (validTo === null || validTo === undefined) continue;
    const seconds = Date.parse(validTo) / 1000;
    if (!Number.isFinite(seconds)) continue;
    const labels = { target: attempt.target, host: attempt.host, port: String(attempt.port) };
    const key = JSON.stringify(labels);
    const seen = earliest.get(key);
    if (seen === undefined || seconds < seen.value) earliest.set(key, { labels, value: seconds });
  }
  return [...earliest.values()];
}

/** The cloud and where in it (each cloud module says which labels); never identifiers. */
export function environmentLabels(
  environment: Environment,
  clouds: readonly AnyCloud[] = REGISTERED_CLOUDS,
): Labels {
  const cloud = clouds.find((c) => c.id === environment.cloud);
  if (cloud === undefined) return { cloud: environment.cloud };
  return { cloud: environment.cloud, ...cloud.metricLabels(factsOf(environment, cloud)) };
}

/** Attempts of one report counted by port, result and reason. Pure. */
export function countProbes(attempts: Attempt[]): Sample[] {
  const counts = new Map<string, Sample>();
  for (const attempt of attempts) {
    const labels = { port: String(attempt.port), result: attempt.result, reason: attempt.reason };
    const key = JSON.stringify(labels);
    const sample = counts.get(key) ?? { labels, value: 0 };
    sample.value += 1;
    counts.set(key, sample);
  }
  return [...counts.values()];
}
