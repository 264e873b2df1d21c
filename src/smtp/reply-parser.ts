// Incremental parser for SMTP replies (RFC 5321 §4.2): lines of "NNN-text" continue a reply,
// "NNN text" or "NNN" ends it. The parser never holds more than a few KiB, whatever the peer
// sends, and says "not SMTP" as early as the first bytes allow.

/** RFC 5321 allows 512 octets per reply line; anything far beyond is not a mail server. */
export const MAX_LINE_BYTES = 1_000;
/** The most a whole reply may buffer, so a hostile server cannot make us hold more. */
export const MAX_REPLY_BYTES = 4_096;

export interface SmtpReply {
  code: number;
  lines: string[];
}

export type ParseState =
  | { kind: 'incomplete' }
  | { kind: 'reply'; reply: SmtpReply; rest: string }
  | { kind: 'not-smtp'; why: 'bad-line' | 'line-too-long' | 'reply-too-long' | 'mixed-codes' };

const REPLY_LINE = /^(\d{3})(?:([ -])(.*))?$/;

/**
 * Looks at everything received so far and tells whether it holds one complete reply, is a
 * valid beginning of one, or cannot be SMTP. Pure: the caller owns the buffer.
 */
export function parseReply(received: string): ParseState {
  if (received.length > MAX_REPLY_BYTES) return { kind: 'not-smtp', why: 'reply-too-long' };
  const lines: string[] = [];
  let code: number | undefined;
  let start = 0;
  for (;;) {
    const end = received.indexOf('\n', start);
    if (end < 0) {
      const partial = received.slice(start);
      if (partial.length > MAX_LINE_BYTES) return { kind: 'not-smtp', why: 'line-too-long' };
      if (!isReplyPrefix(partial)) return { kind: 'not-smtp', why: 'bad-line' };
      return { kind: 'incomplete' };
    }
    const line = received.slice(start, end).replace(/\r$/, '');
    if (line.length > MAX_LINE_BYTES) return { kind: 'not-smtp', why: 'line-too-long' };
    const match = REPLY_LINE.exec(line);
    if (!match) return { kind: 'not-smtp', why: 'bad-line' };
    const lineCode = Number(match[1]);
    if (code !== undefined && lineCode !== code) return { kind: 'not-smtp', why: 'mixed-codes' };
    code = lineCode;
    lines.push(match[3] ?? '');
    start = end + 1;
    if (match[2] !== '-') {
      return { kind: 'reply', reply: { code, lines }, rest: received.slice(start) };
    }
  }
}

/** Whether an unfinished line can still become a reply line ("2", "22", "220", "220-Hi"...). */
function isReplyPrefix(partial: string): boolean {
  const digits = partial.slice(0, 3);
  if (!/^\d*$/.test(digits)) return false;
  if (partial.length <= 3) return true;
  const separator = partial[3];
  return separator === ' ' || separator === '-' || separator === '\r';
}

/** The first line as a person would read it: "220 mx.example ESMTP ready". */
export function firstLine(reply: SmtpReply): string {
  const text = reply.lines[0] ?? '';
  return `${reply.code}${text ? ` ${text}` : ''}`;
}

/** ESMTP keywords from an EHLO reply (the first line is the server's greeting name). */
export function ehloKeywords(reply: SmtpReply): string[] {
  return reply.lines.slice(1).map((line) => (line.split(/\s+/)[0] ?? '').toUpperCase());
}
