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
  /** Delivery canaries (CONTRACT §12): present when the config has any. */
  canaries?: CanaryReport[];
  diagnosis: Diagnosis;
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
