// Text that came from the network (a server's greeting, a TXT record, a PTR name) on its way to
// a terminal: control characters and bidirectional overrides are shown escaped, never sent
// raw, so a hostile server cannot move the cursor, clear the screen or reorder what is read.

/** C0 and C1 controls, DEL, and the marks and overrides that reorder bidirectional text. */
function unprintable(code: number): boolean {
  return (
    code <= 0x1f ||
    (code >= 0x7f && code <= 0x9f) ||
    code === 0x200e ||
    code === 0x200f ||
    (code >= 0x202a && code <= 0x202e) ||
    (code >= 0x2066 && code <= 0x2069)
  );
}

/** ESC [ 2 J becomes the six characters `\x1b[2J`; printable text stays as it is. */
export function printable(text: string): string {
  let out = '';
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (!unprintable(code)) out += char;
    else if (code <= 0xff) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += `\\u${code.toString(16).padStart(4, '0')}`;
  }
  return out;
}
