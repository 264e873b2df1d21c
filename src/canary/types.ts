// The canary's vocabulary (CONTRACT §12): what a canary is in the config; what one run reports
// and the closed sets its metrics iterate live in src/types.ts with the rest of the report.
// Shared by the pure modules and the I/O of this room.

import type { RelaySecurity } from '../types.js';

// What a run reports is vocabulary of the report itself (src/types.ts), named here too.
export {
  AUTH_METHODS,
  AUTH_RESULTS,
  CANARY_STATUSES,
  type AuthMethod,
  type AuthResult,
  type CanaryAuth,
  type CanaryReport,
  type CanaryStatus,
} from '../types.js';

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
