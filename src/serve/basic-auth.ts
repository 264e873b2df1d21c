// HTTP basic authentication (RFC 7617) against the bcrypt hashes of the web config's
// `basic_auth_users`, as exporter-toolkit does it: an unknown user costs the same bcrypt as a
// known one (so timing does not tell which users exist), and verdicts are cached so that a
// Prometheus scraping every 15 s does not pay a bcrypt (about 100–200 ms of CPU at cost 10 in
// JavaScript) per scrape. bcrypt runs one at a time: a burst of guesses queues, it does not
// multiply the CPU.
//
// The cache is keyed by an HMAC of user, hash and password under a key made at start, so it
// never holds a password in the clear; it keeps at most CACHE_SIZE verdicts.

import { createHmac, randomBytes } from 'node:crypto';

const CACHE_SIZE = 100;

/** A bcrypt hash (cost 10) of a password nobody has: what an unknown user is checked against. */
const UNKNOWN_USER_HASH = '$2b$10$b2LEA0jIuPpufg2Rveh6Ou6EoTSMIt6s8LsAXMfPttekufnJ3Aic.';

export interface Credentials {
  user: string;
  password: string;
}

/** The user and password of an `Authorization: Basic …` header, or undefined. Pure. */
export function parseBasicAuthorization(header: string | undefined): Credentials | undefined {
  const match = /^Basic[ \t]+([A-Za-z0-9+/]+={0,2})[ \t]*$/i.exec(header ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1] ?? '', 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** bcrypt's check of a password against a hash. */
export type Compare = (password: string, hash: string) => Promise<boolean>;

export class BasicAuth {
  private readonly cacheKey = randomBytes(32);
  private readonly verdicts = new Map<string, Promise<boolean>>();
  private queue: Promise<unknown> = Promise.resolve();
  private compare: Compare | undefined;

  /** `compare` is bcryptjs's unless a test hands in its own. */
  constructor(
    private readonly users: ReadonlyMap<string, string>,
    compare?: Compare,
  ) {
    this.compare = compare;
  }

  /** The user name when the header carries a known user with the right password. */
  async verify(header: string | undefined): Promise<string | undefined> {
    const credentials = parseBasicAuthorization(header);
    if (credentials === undefined) return undefined;
    const known = this.users.get(credentials.user);
    const hash = known ?? UNKNOWN_USER_HASH;
    const key = createHmac('sha256', this.cacheKey)
      .update(`${credentials.user}\0${hash}\0${credentials.password}`)
      .digest('base64');
    let verdict = this.verdicts.get(key);
    if (verdict === undefined) {
      verdict = this.check(credentials.password, hash);
      this.remember(key, verdict);
    }
    return (await verdict) && known !== undefined ? credentials.user : undefined;
  }

  private check(password: string, hash: string): Promise<boolean> {
    const run = async (): Promise<boolean> => {
      // Loaded on the first login only: mxprobe without users never pays for bcrypt.
      this.compare ??= (await import('bcryptjs')).compare;
      // bcryptjs ends with a constant-time comparison of the computed and the stored hash.
      return this.compare(password, hash);
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private remember(key: string, verdict: Promise<boolean>): void {
    if (this.verdicts.size >= CACHE_SIZE) {
      // The oldest tenth goes at once, so a full cache is not trimmed on every new login.
      const drop = [...this.verdicts.keys()].slice(0, CACHE_SIZE / 10);
      for (const old of drop) this.verdicts.delete(old);
    }
    this.verdicts.set(key, verdict);
    // A failed check (bcryptjs refusing its input) is not a verdict: forget it.
    verdict.catch(() => this.verdicts.delete(key));
  }
}
