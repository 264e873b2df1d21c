// A relay's password, read from its file or its environment variable: below both the config
// check (config/preflight.ts, before anything runs) and relay verification, which keeps the
// password out of every reason it writes (relay/secret.ts). Never logged.

import { readFile } from 'node:fs/promises';
import type { CanaryImapSpec, RelaySpec } from '../types.js';
import { describeErrno } from './errno.js';

/** A problem with the secret itself (missing file, unset variable): the relay was not tried. */
export class RelaySecretError extends Error {
  override readonly name = 'RelaySecretError';
}

/**
 * Reads the relay's password from `passwordFile` (one trailing newline stripped, as files
 * written by `echo` or systemd-creds carry one) or from the variable `passwordEnv`.
 * Returns undefined when the relay has no username (no AUTH wanted).
 */
export async function readRelaySecret(
  relay: RelaySpec,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string | undefined> {
  if (relay.passwordFile !== undefined) {
    let text: string;
    try {
      text = await readFile(relay.passwordFile, 'utf8');
    } catch (error) {
      throw new RelaySecretError(
        `cannot read passwordFile ${relay.passwordFile}: ${describeErrno(error)}`,
        { cause: error },
      );
    }
    const secret = text.replace(/\r?\n$/, '');
    if (secret === '') throw new RelaySecretError(`passwordFile ${relay.passwordFile} is empty`);
    return secret;
  }
  if (relay.passwordEnv !== undefined) {
    const secret = env[relay.passwordEnv];
    if (secret === undefined || secret === '') {
      throw new RelaySecretError(`environment variable ${relay.passwordEnv} is not set or empty`);
    }
    return secret;
  }
  if (relay.username !== undefined) {
    throw new RelaySecretError('a username is configured but neither passwordFile nor passwordEnv');
  }
  return undefined;
}

/** Why the secret could not be had, in one line without the secret. */
export function secretProblem(error: unknown): string {
  if (error instanceof RelaySecretError) return error.message;
  return `cannot read the password: ${error instanceof Error ? error.message : String(error)}`;
}

/** A canary's IMAP password, by the relay rules: a file (one trailing newline dropped) or a variable. */
export async function readImapSecret(
  imap: CanaryImapSpec,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  const secret = await readRelaySecret({ name: 'imap', ...imap }, env);
  if (secret === undefined) throw new Error('no IMAP password configured');
  return secret;
}
