// The vocabulary of mxprobe, shared by the pure core and the I/O edges.
// Names and string values here are the external contract (CONTRACT.md §2–§6): do not rename.

export type Result = 'reachable' | 'blocked' | 'filtered';

export type Reason =
  | 'greeting'
  | 'refused'
  | 'unreachable'
  | 'reset'
  | 'rejected'
  | 'protocol'
  | 'timeout'
  | 'no-greeting';

export type Family = 4 | 6;
export type FamilyChoice = Family | 'any';
export type FamilyStatus = 'ok' | 'no-route';

export type PortStatus = 'open' | 'partial' | 'blocked' | 'filtered' | 'unknown';

export type DiagnosisCode = 'dns-failed' | 'egress-blocked' | 'port25-blocked' | 'partial' | 'ok';

export type Hint = 'relay-ok' | 'relay-failed' | 'smtp-interception' | 'dns-slow';

export type ResolutionStatus =
  'ok' | 'nxdomain' | 'nodata' | 'null-mx' | 'servfail' | 'timeout' | 'refused';

export type TargetKind = 'domain' | 'host';

export type Cloud = 'azure' | 'aws' | 'gcp' | 'none';

/** What the user names: a mail domain (probe its MX hosts) or a host (its own addresses). */
export interface TargetSpec {
  kind: TargetKind;
  name: string;
  ports: number[];
}

export type RelaySecurity = 'starttls' | 'tls' | 'none';

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
  /** Whether the server offered STARTTLS in its EHLO reply (587 and, when inspected, 25). */
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

export type RelayStatus = 'ok' | 'auth-failed' | 'tls-failed' | 'blocked' | 'filtered' | 'error';

export interface RelayReport {
  name: string;
  host: string;
  port: number;
  status: RelayStatus;
  reason: string | null;
  durationMs: number;
}

export interface AzureFacts {
  subscriptionId: string | null;
  location: string | null;
  vmId: string | null;
  azEnvironment?: string | null;
}

export interface Environment {
  cloud: Cloud;
  hostname: string;
  families: Partial<Record<'4' | '6', FamilyStatus>>;
  azure?: AzureFacts;
  aws?: { region: string | null; instanceId: string | null; accountId: string | null };
  gcp?: { projectId: string | null; zone: string | null };
}

export interface Diagnosis {
  code: DiagnosisCode;
  summary: string;
  advice: string[];
  hints: Hint[];
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
  diagnosis: Diagnosis;
}
