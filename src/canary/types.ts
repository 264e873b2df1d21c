// The canary's vocabulary (CONTRACT §12): what a canary is in the config; what one run reports
// and the closed sets its metrics iterate live in src/types.ts with the rest of the report.
// Shared by the pure modules and the I/O of this room.

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

// What a canary is in the config: vocabulary of the config, like a relay's (src/types.ts).
export type { CanaryImapSpec, CanarySpec } from '../types.js';
