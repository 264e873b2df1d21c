// The vocabulary of sender identity (CONTRACT §11): the EHLO name, and per sending domain the
// SPF result of each egress address, the DMARC policy and the DKIM keys. Closed sets are const
// lists so the metrics publish complete state sets. Names and values are external: the report's
// `identity` key and the metrics of §11.

export const EHLO_STATUSES = ['ok', 'not-fqdn', 'unresolvable', 'mismatch'] as const;
export type EhloStatus = (typeof EHLO_STATUSES)[number];

/** RFC 7208 §2.6, in the order of the RFC. */
export const SPF_RESULTS = [
  'pass',
  'fail',
  'softfail',
  'neutral',
  'none',
  'permerror',
  'temperror',
] as const;
export type SpfResult = (typeof SPF_RESULTS)[number];

/**
 * `error`: the lookup failed (timeout, SERVFAIL, REFUSED) — not a finding about the domain, so
 * it raises no hint (a deviation from the contract's closed set, documented in the reference).
 */
export const DMARC_POLICIES = ['reject', 'quarantine', 'none', 'missing', 'error'] as const;
export type DmarcPolicy = (typeof DMARC_POLICIES)[number];

/** `error` as for DMARC: the key's lookup failed. */
export const DKIM_STATUSES = ['present', 'missing', 'invalid', 'error'] as const;
export type DkimStatus = (typeof DKIM_STATUSES)[number];

export const IDENTITY_HINTS = [
  'helo-mismatch',
  'spf-fail',
  'dmarc-missing',
  'dkim-missing',
] as const;
export type IdentityHint = (typeof IDENTITY_HINTS)[number];

/** What `identity:` in the config says (CONTRACT §11). */
export interface IdentitySettings {
  /** The name this machine gives in EHLO; unset: its fully qualified host name. */
  ehloName?: string;
  sendingDomains: string[];
  dkimSelectors: string[];
}

export interface EhloFinding {
  status: EhloStatus;
  /** What the EHLO name resolves to (A and AAAA). */
  addresses: string[];
  /** The PTR names of the egress addresses. */
  ptrNames: string[];
}

export interface SpfFinding {
  address: string;
  result: SpfResult;
  /** Which term decided, or why the evaluation stopped, in words. */
  detail: string;
}

export interface DmarcFinding {
  policy: DmarcPolicy;
  /** The DMARC record that applies (found at the domain or an ancestor), else null. */
  record: string | null;
}

export interface DkimFinding {
  selector: string;
  status: DkimStatus;
}

export interface DomainIdentity {
  domain: string;
  spf: SpfFinding[];
  dmarc: DmarcFinding;
  dkim: DkimFinding[];
}

/** The report's `identity` section. */
export interface IdentityReport {
  ehloName: string;
  ehlo: EhloFinding;
  domains: DomainIdentity[];
}
