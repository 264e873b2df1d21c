// The vocabulary of mxprobe, shared by the pure core and the I/O edges. Names and string values
// here are external (docs/reference.md: the report and the metrics): do not rename.
//
// Closed sets are written once, as const lists, and their types are derived from them: the
// metrics iterate the lists to publish complete state sets, so a value added here reaches
// /metrics without anyone having to remember it, and a switch over the type that misses it
// does not compile.

/**
 * The report's per-cloud facts (`environment.azure`, `environment.aws`, …), by cloud id. Empty
 * here and filled in by clouds/registry.ts (declaration merging), so that the vocabulary names
 * the clouds without importing the room above it.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- clouds/registry.ts adds the members
export interface CloudFactsById {}
/** `environment.cloud`: a registered cloud, or none. */
export type Cloud = Extract<keyof CloudFactsById, string> | 'none';

/**
 * What a platform documents about outbound mail ports (CONTRACT §9, `environment.policy`): the
 * ports it blocks by default, for whom, how to get an exemption in the platform's own words,
 * and the page.
 */
export interface PortPolicy {
  blockedPorts: number[];
  who: string;
  exemption: string;
  source: string;
}

/** `error`: the attempt could not be made for a local reason; not a verdict about the path. */
export const RESULTS = ['reachable', 'blocked', 'filtered', 'error'] as const;
export type Result = (typeof RESULTS)[number];

export const REASONS = [
  'greeting',
  'refused',
  'unreachable',
  'reset',
  'rejected',
  'protocol',
  'timeout',
  'no-greeting',
  'local',
] as const;
export type Reason = (typeof REASONS)[number];

export type Family = 4 | 6;
export type FamilyChoice = Family | 'any';
export type FamilyStatus = 'ok' | 'no-route';
/** Per address family, keyed as in the report ("4", "6"). */
export type FamilyStatuses = Partial<Record<'4' | '6', FamilyStatus>>;

export const PORT_STATUSES = ['open', 'partial', 'blocked', 'filtered', 'unknown'] as const;
export type PortStatus = (typeof PORT_STATUSES)[number];

/** In the order the diagnosis tries them: the first that matches wins. */
export const DIAGNOSIS_CODES = [
  'dns-failed',
  'port25-refused',
  'egress-blocked',
  'port25-blocked',
  'partial',
  'ok',
] as const;
export type DiagnosisCode = (typeof DIAGNOSIS_CODES)[number];

export const HINTS = [
  'relay-ok',
  'relay-failed',
  'smtp-interception',
  'dns-slow',
  'ptr-missing',
  'ptr-mismatch',
  'dnsbl-listed',
  'blocked-beyond-policy',
  // Sender identity (CONTRACT §11): IDENTITY_HINTS below, in the same order.
  'helo-mismatch',
  'spf-fail',
  'dmarc-missing',
  'dkim-missing',
  // The delivery canary (CONTRACT §12).
  'canary-lost',
  'canary-spam',
] as const;
export type Hint = (typeof HINTS)[number];

export type ResolutionStatus =
  'ok' | 'nxdomain' | 'nodata' | 'null-mx' | 'servfail' | 'timeout' | 'refused';

export type TargetKind = 'domain' | 'host';

/** What the user names: a mail domain (probe its MX hosts) or a host (its own addresses). */
export interface TargetSpec {
  kind: TargetKind;
  name: string;
  ports: number[];
}

export const RELAY_SECURITIES = ['starttls', 'tls', 'none'] as const;
export type RelaySecurity = (typeof RELAY_SECURITIES)[number];

export interface RelaySpec {
  name: string;
  host: string;
  port: number;
  secure: RelaySecurity;
  username?: string;
  /** Where the secret lives; the secret itself is read only when verifying. */
  passwordFile?: string;
  passwordEnv?: string;
  /** Only when set does verification send a real test message. */
  testRecipient?: string;
  testSender?: string;
}

export interface TlsFacts {
  protocol: string | null;
  authorized: boolean;
  authorizationError: string | null;
  subject: string | null;
  /** Certificate notAfter as ISO 8601. */
  validTo: string | null;
}

/** One TCP connection from this machine to one address:port, classified. */
export interface Attempt {
  target: string;
  host: string;
  address: string;
  family: Family;
  port: number;
  result: Result;
  reason: Reason;
  durationMs: number;
  greeting: string | null;
  tls: TlsFacts | null;
  /** Node's own error code when the socket failed (ECONNREFUSED, EHOSTUNREACH, ...). */
  errorCode?: string;
  /** Whether the server offered STARTTLS in its EHLO reply (ports whose TLS is inspected). */
  starttls?: boolean;
}

export interface TargetReport {
  target: string;
  kind: TargetKind;
  resolution: ResolutionStatus;
  hosts: string[];
  ports: number[];
  /** How long resolving this target took. */
  durationMs?: number;
}

export interface PortReport {
  port: number;
  status: PortStatus;
  reachable: number;
  blocked: number;
  filtered: number;
}

export const RELAY_STATUSES = [
  'ok',
  'auth-failed',
  'tls-failed',
  'blocked',
  'filtered',
  'error',
] as const;
export type RelayStatus = (typeof RELAY_STATUSES)[number];

export interface RelayReport {
  name: string;
  host: string;
  port: number;
  status: RelayStatus;
  reason: string | null;
  durationMs: number;
}

/** Where the probe ran: the cloud (with its facts under the cloud's own key), host, families. */
export type Environment = {
  cloud: Cloud;
  hostname: string;
  families: FamilyStatuses;
  /** The detected cloud's documented port policy (CONTRACT §9); null: none detected or none documented. */
  policy?: PortPolicy | null;
} & CloudFactsById;

export interface Diagnosis {
  code: DiagnosisCode;
  summary: string;
  advice: string[];
  hints: Hint[];
}

/** Where an egress address was learnt, in the order the first found wins (CONTRACT §10). */
export const EGRESS_SOURCES = ['config', 'cloud', 'greeting', 'local'] as const;
export type EgressSource = (typeof EGRESS_SOURCES)[number];

export const PTR_STATUSES = ['ok', 'mismatch', 'none', 'error'] as const;
export type PtrStatus = (typeof PTR_STATUSES)[number];

export const DNSBL_STATUSES = ['listed', 'clean', 'refused', 'error'] as const;
export type DnsblStatus = (typeof DNSBL_STATUSES)[number];

/** Forward-confirmed reverse DNS of an egress address. */
export interface PtrFinding {
  status: PtrStatus;
  /** The PTR names found (lower case, no trailing dot). */
  names: string[];
}

/** One DNSBL zone's answer for an egress address. */
export interface DnsblFinding {
  zone: string;
  status: DnsblStatus;
  /** The A records behind `listed` (or `refused`): 127.0.0.2, 127.255.255.254, … */
  codes?: string[];
  /** With `listed`: the zone's TXT record, when it has one. */
  text?: string;
}

/** An address this machine's mail leaves from, and what receivers would find about it. */
export interface EgressAddress {
  address: string;
  family: Family;
  source: EgressSource;
  ptr: PtrFinding;
  dnsbl: DnsblFinding[];
}

export interface EgressReport {
  addresses: EgressAddress[];
}

export interface Report {
  schemaVersion: 1;
  startedAt: string;
  durationMs: number;
  environment: Environment;
  targets: TargetReport[];
  attempts: Attempt[];
  ports: PortReport[];
  relays: RelayReport[];
  egress: EgressReport;
  /** Sender identity (CONTRACT §11), when the config has an identity: section. */
  identity?: IdentityReport;
  /** Delivery canaries (CONTRACT §12): present when the config has any. */
  canaries?: CanaryReport[];
  diagnosis: Diagnosis;
}

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

// The delivery canary's report (CONTRACT §12); its config lives in canary/types.ts.

export const CANARY_STATUSES = ['delivered', 'spam', 'lost', 'send-failed', 'imap-failed'] as const;
export type CanaryStatus = (typeof CANARY_STATUSES)[number];

/** The Authentication-Results methods a canary reports (RFC 8601 §2.7). */
export const AUTH_METHODS = ['spf', 'dkim', 'dmarc'] as const;
export type AuthMethod = (typeof AUTH_METHODS)[number];

/**
 * Every result RFC 8601 (§2.7.1–2.7.2) and RFC 7489 give these methods, plus `missing` for a
 * receiver that said nothing about the method: the state set of mxprobe_canary_auth_result.
 */
export const AUTH_RESULTS = [
  'pass',
  'fail',
  'softfail',
  'neutral',
  'none',
  'temperror',
  'permerror',
  'policy',
  'missing',
] as const;
export type AuthResult = (typeof AUTH_RESULTS)[number];

export type CanaryAuth = Record<AuthMethod, AuthResult>;

/** One canary run as the report carries it (`canaries[]`). */
export interface CanaryReport {
  name: string;
  relay: string;
  status: CanaryStatus;
  /** From the relay's acceptance to the message's arrival; delivered and spam only. */
  seconds: number | null;
  /** The mailbox it was found in (delivered and spam only). */
  folder: string | null;
  /** The receiver's verdicts; null when the message was not read. */
  auth: CanaryAuth | null;
  /** The relay's reply (send-failed: its refusal), or why the mailbox could not be read. */
  reply: string | null;
  /** When the run started, ISO 8601. */
  startedAt: string;
}

/** How the canary reads its mailbox; the password is read only when a run starts. */
export interface CanaryImapSpec {
  host: string;
  port: number;
  /** tls: TLS from the first byte (993); starttls: upgrade is mandatory; none: plain text. */
  secure: RelaySecurity;
  username: string;
  passwordFile?: string;
  passwordEnv?: string;
}

/** One `canaries:` entry of the config, checked. */
export interface CanarySpec {
  name: string;
  /** The name of a configured relay. */
  relay: string;
  from: string;
  /** A mailbox the user owns. */
  to: string;
  imap: CanaryImapSpec;
  timeoutMs: number;
  intervalMs: number;
}
