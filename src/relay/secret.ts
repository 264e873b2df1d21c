// A relay's password: read only here, only when verifying, and kept out of everything that
// leaves the process. It is not logged, not put in the report, and scrubbed from any server
// text that ends up in a relay's `reason`.

import { readFile } from 'node:fs/promises';
import type { RelaySpec } from '../types.js';
import { describeErrno } from '../util/errno.js';

/** A problem with the secret itself (missing file, unset variable): the relay was not tried. */
export class RelaySecretError extends Error {
  override readonly name = 'RelaySecretError';
}

const MAX_REASON_CHARS = 300;

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

/** Never let the secret (plain or base64, as AUTH PLAIN/LOGIN send it) into a reason. */
export function redact(text: string, secret: string | undefined): string {
  let out = text;
  if (secret !== undefined && secret !== '') {
    for (const form of [secret, Buffer.from(secret).toString('base64')]) {
      out = out.split(form).join('***');
    }
  }
  return out.length > MAX_REASON_CHARS ? `${out.slice(0, MAX_REASON_CHARS - 1)}…` : out;
}
