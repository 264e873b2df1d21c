// The DNS client mxprobe asks its questions through: the MX and addresses of targets, and the
// PTR and DNSBL records of the egress addresses (the same servers and the same budget for both).
//
// Budget: Node's resolver defaults can wait tens of seconds on a dead server. The client uses
// c-ares channels with a short first try (c-ares doubles it on each retry: 0.5, 1, 2 s, so four
// tries fit in DNS_BUDGET_MS) and can be cancelled at a deadline. A lost UDP datagram would still
// cost a 0.5 s retry, so each question is hedged: asked again on a second channel after 250 ms.

import { Resolver } from 'node:dns/promises';
import type { ResolutionStatus } from '../types.js';

export const DNS_TRY_TIMEOUT_MS = 500;
export const DNS_TRIES = 4;
export const DNS_BUDGET_MS = 4_000;

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

export async function lookup<T>(query: () => Promise<T>): Promise<Lookup<T>> {
  try {
    return { ok: true, value: await query() };
  } catch (error) {
    return { ok: false, status: resolutionStatusOf((error as NodeJS.ErrnoException).code) };
  }
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
