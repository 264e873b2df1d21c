// The canary's IMAP password, read like a relay's (util/secret.ts): apart from the run, so the
// config's preflight checks it without loading the IMAP and SMTP clients.

import { readRelaySecret } from '../util/secret.js';
import type { CanaryImapSpec } from './types.js';

/** The IMAP password, by the relay rules: a file (one trailing newline dropped) or a variable. */
export async function readImapSecret(
  imap: CanaryImapSpec,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  const secret = await readRelaySecret({ name: 'imap', ...imap }, env);
  if (secret === undefined) throw new Error('no IMAP password configured');
  return secret;
}
