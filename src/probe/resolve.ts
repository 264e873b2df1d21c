// Name resolution for targets: a domain's MX set (RFC 5321 §5.1, with implicit MX and the
// RFC 7505 null MX), or a host's own A/AAAA. DNS failures are data, reported per target.
//
// Budget: Node's resolver defaults can wait tens of seconds on a dead server. Each target gets
// its own c-ares channel with a short first try (c-ares doubles it on each retry: 0.5, 1, 2 s,
// so four tries fit) and an overall deadline after which its queries are cancelled: an
// unreachable DNS server ends the pass in about 4 s. A lost UDP datagram would still cost a
// 0.5 s retry, so each question is hedged: asked again on a second channel after 250 ms. When
// a target is resolved, whatever of its queries is still out is cancelled.

import { Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Family, FamilyChoice, ResolutionStatus, TargetSpec } from '../types.js';

export const DNS_TRY_TIMEOUT_MS = 500;
export const DNS_TRIES = 4;
export const DNS_BUDGET_MS = 4_000;

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

export interface MxRecord {
  exchange: string;
  priority: number;
}

/** The DNS questions mxprobe asks; a real resolver or a test double answers them. */
export interface DnsClient {
  mx(name: string): Promise<MxRecord[]>;
  a(name: string): Promise<string[]>;
  aaaa(name: string): Promise<string[]>;
  /** PTR records of a reverse name (`7.113.0.203.in-addr.arpa`). */
  ptr(name: string): Promise<string[]>;
  /** TXT records, each one's strings joined. */
  txt(name: string): Promise<string[]>;
  /** Stop every query still running (they reject with ECANCELLED). */
  cancel(): void;
}

/** A second query for the same question starts if the first has no answer after this long. */
export const DNS_HEDGE_AFTER_MS = 250;

export function createDnsClient(servers: string[]): DnsClient {
  // Two channels: a lost UDP datagram costs the first channel its 0.5 s retry, so the same
  // question goes out again on the second one a moment later; the first answer wins. They are
  // made at the first question: a target named by its address asks none, and a pass over a
  // thousand of them should not set up two thousand resolvers for nothing.
  let channels: Resolver[] | undefined;
  const open = (): Resolver[] =>
    (channels ??= [0, 1].map(() => {
      const resolver = new Resolver({ timeout: DNS_TRY_TIMEOUT_MS, tries: DNS_TRIES });
      if (servers.length > 0) resolver.setServers(servers);
      return resolver;
    }));
  let cancelled = false;
  const ask = <T>(query: (r: Resolver) => Promise<T>): Promise<T> =>
    hedged(
      open().map((r) => () => (cancelled ? Promise.reject(cancelledError()) : query(r))),
      DNS_HEDGE_AFTER_MS,
    );
  return {
    mx: (name) => ask((r) => r.resolveMx(name)),
    a: (name) => ask((r) => r.resolve4(name)),
    aaaa: (name) => ask((r) => r.resolve6(name)),
    ptr: (name) => ask((r) => r.resolvePtr(name)),
    txt: (name) => ask((r) => r.resolveTxt(name)).then((records) => records.map((r) => r.join(''))),
    cancel: () => {
      cancelled = true;
      for (const r of channels ?? []) r.cancel();
    },
  };
}

function cancelledError(): NodeJS.ErrnoException {
  return Object.assign(new Error('DNS query cancelled'), { code: 'ECANCELLED' });
}

/** Answers that come from the DNS server itself: a second opinion would say the same. */
const DEFINITIVE_DNS_CODES = new Set(['ENOTFOUND', 'ENODATA']);

/**
 * Starts `tries[0]`, then each next one `afterMs` later while no definitive outcome has arrived;
 * settles with the first answer or definitive negative, else with the last failure.
 */
export function hedged<T>(tries: (() => Promise<T>)[], afterMs: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    let failures = 0;
    const timers: NodeJS.Timeout[] = [];
    const settle = (finish: () => void): void => {
      if (settled) return;
      settled = true;
      for (const timer of timers) clearTimeout(timer);
      finish();
    };
    tries.forEach((attempt, index) => {
      const start = (): void => {
        if (settled) return;
        attempt().then(
          (value) => settle(() => resolve(value)),
          (error: unknown) => {
            failures += 1;
            const code = (error as NodeJS.ErrnoException).code ?? '';
            if (DEFINITIVE_DNS_CODES.has(code) || failures === tries.length) {
              settle(() => reject(error instanceof Error ? error : new Error(String(error))));
            }
          },
        );
      };
      if (index === 0) start();
      else timers.push(setTimeout(start, afterMs * index));
    });
  });
}

/** A lookup's outcome: its answers, or the contract's word for why there are none. */
export type Lookup<T> = { ok: true; value: T } | { ok: false; status: ResolutionStatus };

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
  const lower = name.toLowerCase().replace(/\.$/, '');
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

/** MX exchanges by preference, then name; the root ("0 .") is dropped. Pure. */
export function orderMx(records: MxRecord[]): string[] {
  const sorted = [...records].sort(
    (a, b) => a.priority - b.priority || a.exchange.localeCompare(b.exchange),
  );
  const names = sorted.map((r) => r.exchange.replace(/\.$/, '').toLowerCase()).filter(Boolean);
  return [...new Set(names)];
}

/** The failure that best explains an empty answer, most telling first. Pure. */
export function worstStatus(statuses: ResolutionStatus[]): ResolutionStatus {
  const order: ResolutionStatus[] = ['timeout', 'servfail', 'refused', 'nxdomain', 'nodata'];
  return order.find((s) => statuses.includes(s)) ?? 'nodata';
}

/** c-ares error codes → the contract's resolution statuses. Pure. */
export function resolutionStatusOf(code: string | undefined): ResolutionStatus {
  switch (code ?? '') {
    case 'ENOTFOUND':
      return 'nxdomain';
    case 'ENODATA':
      return 'nodata';
    case 'ETIMEOUT':
    case 'ECANCELLED':
    case 'EDESTRUCTION':
      return 'timeout';
    case 'EREFUSED':
    case 'ECONNREFUSED':
      return 'refused';
    default:
      return 'servfail';
  }
}

export async function lookup<T>(query: () => Promise<T>): Promise<Lookup<T>> {
  try {
    return { ok: true, value: await query() };
  } catch (error) {
    return { ok: false, status: resolutionStatusOf((error as NodeJS.ErrnoException).code) };
  }
}

function failed(status: ResolutionStatus): Omit<Resolution, 'durationMs'> {
  return { status, hosts: [], endpoints: [] };
}
