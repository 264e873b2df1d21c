// The token that makes one canary message findable, and only that one: it sits in the subject
// (for a person looking at the mailbox) and in its own header (what the search matches). The
// header also names the canary, so a later run can find a message an earlier run gave up on.

/** The header every canary message carries. */
export const CANARY_HEADER = 'X-Mxprobe-Canary';

export interface CanaryToken {
  /** The canary's name and a unique part: "ops-inbox/m4x2k1a/9f2c4e1b". */
  token: string;
  /** The header's value. */
  header: string;
  subject: string;
}

/**
 * A token for one message: the canary's name, the time in base 36 and 8 random hex digits.
 * `randomHex` is injected so tests are repeatable. Pure.
 */
export function makeCanaryToken(name: string, nowMs: number, randomHex: string): CanaryToken {
  const token = `${name}/${nowMs.toString(36)}/${randomHex}`;
  return {
    token,
    header: `${canaryMarker(name)} token=${token}`,
    subject: `mxprobe canary ${token}`,
  };
}

/**
 * What every message of one canary carries in its header, and no other canary's: the name
 * closed by ";" so "ops" never matches "ops-inbox".
 */
export function canaryMarker(name: string): string {
  return `canary=${name};`;
}

/** The token in a header value, when it is one of this canary's; undefined otherwise. Pure. */
export function tokenOf(headerValue: string, name: string): string | undefined {
  const match = /^\s*canary=([^;\s]+);\s*token=(\S+)\s*$/.exec(headerValue);
  if (match === null || match[1] !== name) return undefined;
  return match[2]?.startsWith(`${name}/`) === true ? match[2] : undefined;
}
