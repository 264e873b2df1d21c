// A relay's password (read by util/secret.ts), kept out of everything that
// leaves the process. It is not logged, not put in the report, and scrubbed from any server
// text that ends up in a relay's `reason`: in plain text, and in base64 wherever it sits in
// the encoded stream. AUTH PLAIN sends base64("\0user\0password"), so the password starts at
// byte len(user) + 2 and its base64 depends on that offset modulo 3: a server that echoes the
// token shows one of three encodings of it, not the one base64(password) gives.

export { readRelaySecret, RelaySecretError, secretProblem } from '../util/secret.js';

const MAX_REASON_CHARS = 300;

const REDACTED = '***';
/** Runs of base64 long enough to hide a secret; shorter ones are words like "5.7.8" or "Auth". */
const BASE64_RUN = /[A-Za-z0-9+/]{6,}={0,2}/g;

/**
 * Never lets the secret into a reason: every base64 run that decodes to text containing it,
 * its plain text, and every base64 text that encodes it at any of the three byte alignments
 * (the part of the encoding that depends on the secret alone, wherever it sits). Pure.
 */
export function redact(text: string, secret: string | undefined): string {
  let out = text;
  if (secret !== undefined && secret !== '') {
    // Whole runs first, so no end of a token (the last bytes of the secret) stays behind.
    const bytes = Buffer.from(secret);
    out = out.replace(BASE64_RUN, (run) => (decodesToContain(run, bytes) ? REDACTED : run));
    for (const form of [secret, ...base64Forms(secret)]) out = out.split(form).join(REDACTED);
  }
  return out.length > MAX_REASON_CHARS ? `${out.slice(0, MAX_REASON_CHARS - 1)}…` : out;
}

/**
 * The base64 text that any encoding of `secret` must contain, for each of the three offsets it
 * can have in the encoded bytes: the characters made of the secret's bits only (the first group
 * may mix in bits of the byte before it, the last one bits of the byte after). Forms shorter
 * than 4 characters (a secret of a few bytes) are left to the run check of `redact`.
 */
export function base64Forms(secret: string): string[] {
  const bytes = Buffer.from(secret);
  const forms: string[] = [];
  for (const offset of [0, 1, 2]) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
    // Characters 0..offset carry bits of the filler bytes; after 4 * whole groups the padding
    // or the next byte's bits come in.
    const skip = offset === 0 ? 0 : offset + 1;
    const whole = 4 * Math.floor((offset + bytes.length) / 3);
    const form = encoded.slice(skip, whole);
    if (form.length >= 4) forms.push(form);
  }
  return forms;
}

/** Whether a base64 run, read from any of its first four characters, decodes to the secret. */
function decodesToContain(run: string, secret: Buffer): boolean {
  const body = run.replace(/=+$/, '');
  for (let start = 0; start < 4 && start < body.length; start += 1) {
    if (Buffer.from(body.slice(start), 'base64').includes(secret)) return true;
  }
  return false;
}
