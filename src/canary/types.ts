// The canary's vocabulary (CONTRACT §12): what a canary is in the config, what one run reports,
// and the closed sets its metrics iterate. Shared by the pure modules and the I/O of this room.

import type { RelaySecurity } from '../types.js';

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
