// Name resolution for targets: a domain's MX set (RFC 5321 §5.1, with implicit MX and the
// RFC 7505 null MX), or a host's own A/AAAA. DNS failures are data, reported per target.
//
// Each target gets its own DNS client (dns/client.ts: short tries, hedged questions) and an
// overall deadline after which its queries are cancelled: an unreachable DNS server ends the
// pass in about 4 s. When a target is resolved, whatever of its queries is still out is
// cancelled.

import { DNS_BUDGET_MS, lookup, type DnsClient, type MxRecord } from '../dns/client.js';
import { isIP } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Family, FamilyChoice, ResolutionStatus, TargetSpec } from '../types.js';
import { normalizeHostName } from '../util/host-name.js';

export interface Endpoint {
  host: string;
  address: string;
  family: Family;
}

export interface Resolution {
  status: ResolutionStatus;
  /** MX hosts by preference (domain targets) or the host itself. */
  hosts: string[];
  endpoints: Endpoint[];
  durationMs: number;
}

export async function resolveTarget(
  target: TargetSpec,
  family: FamilyChoice,
  dns: DnsClient,
  budgetMs = DNS_BUDGET_MS,
): Promise<Resolution> {
  const started = performance.now();
  const deadline = setTimeout(() => dns.cancel(), budgetMs);
  try {
    const result =
      target.kind === 'domain'
        ? await resolveDomain(target.name, family, dns)
        : await resolveHost(target.name, family, dns);
    return { ...result, durationMs: Math.round(performance.now() - started) };
  } finally {
    clearTimeout(deadline);
    // The answer is in: a hedged twin still out (and its retries, up to 7.5 s) is dropped, so
    // nothing of this target's resolution outlives it.
    dns.cancel();
  }
}

async function resolveDomain(
  domain: string,
  family: FamilyChoice,
  dns: DnsClient,
): Promise<Omit<Resolution, 'durationMs'>> {
  // RFC 6761 §6.3: localhost names never go to DNS; as a mail domain it is its own implicit MX.
  if (isLocalhostName(domain)) return loopbackOf(domain, family);
  const mx = await lookup(() => dns.mx(domain));
  if (!mx.ok && mx.status !== 'nodata') return failed(mx.status);
  if (mx.ok && mx.value.length > 0) {
    const exchanges = orderMx(mx.value);
    // RFC 7505: "0 ." alone says this domain accepts no mail at all.
    if (exchanges.length === 0) return { status: 'null-mx', hosts: [], endpoints: [] };
    const perHost = await Promise.all(exchanges.map((host) => resolveHost(host, family, dns)));
    const endpoints = perHost.flatMap((r) => r.endpoints);
    const status = endpoints.length > 0 ? 'ok' : worstStatus(perHost.map((r) => r.status));
    return { status, hosts: exchanges, endpoints };
  }
  // RFC 5321 §5.1: no MX records, so the domain itself is the implicit MX.
  const implicit = await resolveHost(domain, family, dns);
  return { ...implicit, hosts: implicit.status === 'ok' ? [domain] : [] };
}

async function resolveHost(
  host: string,
  family: FamilyChoice,
  dns: DnsClient,
): Promise<Omit<Resolution, 'durationMs'>> {
  if (isLocalhostName(host)) return loopbackOf(host, family);
  const literal = isIP(host);
  if (literal === 4 || literal === 6) {
    const wanted = family === 'any' || family === literal;
    return {
      status: wanted ? 'ok' : 'nodata',
      hosts: [host],
      endpoints: wanted ? [{ host, address: host, family: literal }] : [],
    };
  }
  const [v4, v6] = await Promise.all([
    family === 6 ? undefined : lookup(() => dns.a(host)),
    family === 4 ? undefined : lookup(() => dns.aaaa(host)),
  ]);
  const endpoints: Endpoint[] = [
    ...(v4?.ok ? v4.value.map((address) => ({ host, address, family: 4 as const })) : []),
    ...(v6?.ok ? v6.value.map((address) => ({ host, address, family: 6 as const })) : []),
  ];
  if (endpoints.length > 0) return { status: 'ok', hosts: [host], endpoints };
  const statuses = [v4, v6].flatMap((l): ResolutionStatus[] =>
    l === undefined ? [] : [l.ok ? 'nodata' : l.status],
  );
  return failed(worstStatus(statuses));
}

/** "localhost" and names under it (RFC 6761 §6.3). Pure. */
export function isLocalhostName(name: string): boolean {
  const lower = normalizeHostName(name);
  return lower === 'localhost' || lower.endsWith('.localhost');
}

/** A localhost name resolves to the loopback addresses of the families asked for. */
function loopbackOf(host: string, family: FamilyChoice): Omit<Resolution, 'durationMs'> {
  const endpoints: Endpoint[] = [
    ...(family === 6 ? [] : [{ host, address: '127.0.0.1', family: 4 as const }]),
    ...(family === 4 ? [] : [{ host, address: '::1', family: 6 as const }]),
  ];
  return { status: 'ok', hosts: [host], endpoints };
}

/**
 * MX exchanges by preference, then name; the root ("0 .") is dropped. Pure. Names compare by
 * code unit: host names are ASCII, and a locale's collation would load ICU's tables (3 MB of
 * resident memory) for nothing.
 */
export function orderMx(records: MxRecord[]): string[] {
  const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  const sorted = [...records].sort(
    (a, b) => a.priority - b.priority || byName(a.exchange, b.exchange),
  );
  const names = sorted.map((r) => normalizeHostName(r.exchange)).filter(Boolean);
  return [...new Set(names)];
}

/** The failure that best explains an empty answer, most telling first. Pure. */
export function worstStatus(statuses: ResolutionStatus[]): ResolutionStatus {
  const order: ResolutionStatus[] = ['timeout', 'servfail', 'refused', 'nxdomain', 'nodata'];
  return order.find((s) => statuses.includes(s)) ?? 'nodata';
}

function failed(status: ResolutionStatus): Omit<Resolution, 'durationMs'> {
  return { status, hosts: [], endpoints: [] };
}
