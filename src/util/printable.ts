// Text that came from outside (a server's greeting or reply, a request path, a config key) made
// safe to print: control characters become visible escapes, so no peer can move a terminal's
// cursor, retitle its window, ring its bell or start a new log line, and long text is cut.

/**
 * C0 controls (ESC, BEL, CR, LF, NUL…), DEL, C1 controls (0x80–0x9f: 0x9b is a one-byte CSI on
 * some terminals) and the Unicode format characters that reorder or hide text (bidi overrides
 * and isolates, zero-width marks, line and paragraph separators).
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]/g;

/** `text` with every unprintable character written as \xHH or \uHHHH, cut to `maxChars`. Pure. */
export function printable(text: string, maxChars = Number.POSITIVE_INFINITY): string {
  const escaped = text.replace(UNPRINTABLE, (char) => {
    const code = char.charCodeAt(0);
    return code <= 0xff
      ? `\\x${code.toString(16).padStart(2, '0')}`
      : `\\u${code.toString(16).padStart(4, '0')}`;
  });
  return escaped.length > maxChars ? `${escaped.slice(0, Math.max(0, maxChars - 1))}…` : escaped;
}
