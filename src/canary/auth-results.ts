// The receiver's Authentication-Results header (RFC 8601) → its spf, dkim and dmarc verdicts.
// Pure. Only the topmost field counts: each receiving hop adds its own above the older ones, so
// the top one is the mailbox provider's, and fields further down (the relay's own, or one a
// sender forged) say nothing about how the mailbox judged the message.

import { AUTH_METHODS, AUTH_RESULTS, type AuthResult, type CanaryAuth } from './types.js';

/** The values of every Authentication-Results field in a raw header block, top first. */
export function authResultsFields(rawHeaders: string): string[] {
  // Unfold (RFC 5322 §2.2.3) before splitting into fields.
  const unfolded = rawHeaders.replace(/\r?\n(?=[ \t])/g, '');
  const fields: string[] = [];
  for (const line of unfolded.split(/\r?\n/)) {
    const match = /^authentication-results\s*:(.*)$/i.exec(line);
    if (match?.[1] !== undefined) fields.push(match[1].trim());
  }
  return fields;
}

/** The verdicts of the topmost field; `missing` for a method it does not mention. */
export function readAuthResults(fields: readonly string[]): CanaryAuth {
  const auth: CanaryAuth = { spf: 'missing', dkim: 'missing', dmarc: 'missing' };
  const top = fields[0];
  if (top === undefined) return auth;
  // The first part is the authserv-id (and an optional version): no verdict in it.
  for (const resinfo of withoutComments(top).split(';').slice(1)) {
    const match = /^\s*([a-z0-9-]+)\s*(?:\/\s*\d+\s*)?=\s*([a-z]+)/i.exec(resinfo);
    if (match?.[1] === undefined || match[2] === undefined) continue;
    const method = match[1].toLowerCase();
    if (!isMethod(method)) continue;
    const result = asResult(match[2].toLowerCase());
    // Several signatures give several dkim results: one that passed is what counts.
    if (auth[method] === 'missing' || result === 'pass') auth[method] = result;
  }
  return auth;
}

/** The field without its (comments), which may nest and hold ";" or "=" (RFC 5322 §3.2.2). */
function withoutComments(text: string): string {
  let out = '';
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i];
    if (char === '\\') {
      if (depth === 0) out += text.slice(i, i + 2);
      i += 1;
    } else if (quoted) {
      out += char;
      if (char === '"') quoted = false;
    } else if (char === '(') depth += 1;
    else if (char === ')' && depth > 0) depth -= 1;
    else if (depth === 0) {
      out += char;
      if (char === '"') quoted = true;
    }
  }
  return out;
}

function isMethod(method: string): method is (typeof AUTH_METHODS)[number] {
  return (AUTH_METHODS as readonly string[]).includes(method);
}

/** A result mxprobe does not know (a receiver's own word) reads as unknown: `missing`. */
function asResult(result: string): AuthResult {
  return (AUTH_RESULTS as readonly string[]).includes(result) && result !== 'missing'
    ? (result as AuthResult)
    : 'missing';
}
