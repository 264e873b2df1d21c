// What a valid config file still needs from this machine before mxprobe may run it: each
// relay's password can be read (the file exists and is not empty, the variable is set), and
// targets named twice are merged. `probe` and `check-config` both run it, so check-config says
// "valid" only for what probe runs. Problems are config errors (exit 2); a password file every
// user can read and merged duplicates are warnings. Reads files and the environment; never DNS.

import { stat } from 'node:fs/promises';
import { readImapSecret } from '../util/secret.js';
import { readRelaySecret, secretProblem } from '../util/secret.js';
import { printable } from '../util/printable.js';
import { ConfigError } from './error.js';
import type { ProbeConfig } from './types.js';
import { dedupeTargets } from './values.js';

export interface Prepared {
  config: ProbeConfig;
  /** One line each, for stderr (or the log in the daemon). */
  warnings: string[];
}

/**
 * `source` names where the relays came from (the config file) in every message. The config is
 * returned with duplicate targets merged.
 */
export async function preflight(
  config: ProbeConfig,
  source: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Prepared> {
  const name = printable(source);
  const problems: string[] = [];
  const warnings: string[] = [];
  for (const [i, relay] of config.relays.entries()) {
    const where = `${name}: relays[${i}] (${printable(relay.name, 60)})`;
    try {
      await readRelaySecret(relay, env);
    } catch (error) {
      problems.push(`${where}: ${printable(secretProblem(error), 200)}`);
      continue;
    }
    if (relay.passwordFile !== undefined) {
      const { mode } = await stat(relay.passwordFile);
      // Others may read it: anyone with a shell on the machine can use the relay account.
      if ((mode & 0o004) !== 0) {
        warnings.push(
          `${where}: passwordFile ${printable(relay.passwordFile)} is readable by every user (mode ${(mode & 0o777).toString(8).padStart(4, '0')}); make it 0600, or hand it over as a systemd credential`,
        );
      }
    }
  }
  for (const [i, canary] of config.canaries.entries()) {
    await readImapSecret(canary.imap, env).catch((error: unknown) => {
      problems.push(
        `${name}: canaries[${i}] (${printable(canary.name, 60)}).imap: ${printable(secretProblem(error), 200)}`,
      );
    });
  }
  if (problems.length > 0) throw new ConfigError(problems);
  const { targets, merged } = dedupeTargets(config.targets);
  if (merged.length > 0) {
    warnings.push(
      `${name}: targets named more than once are probed once, their ports joined: ${printable(merged.join(', '), 300)}`,
    );
  }
  return { config: { ...config, targets }, warnings };
}
