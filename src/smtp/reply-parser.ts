// Incremental parser for SMTP replies (RFC 5321 §4.2): lines of "NNN-text" continue a reply,
// "NNN text" or "NNN" ends it. The first complete reply is found before any size limit is
// applied to what follows it: a server may send its whole greeting and more in one write
// (pipelined banner text), and a greeting complete in the buffer is a greeting, however many
// bytes came after it. Limits bound only the line and the reply being read, so the parser never
// holds much more than MAX_REPLY_BYTES whatever the peer sends, and says "not SMTP" as early as
// the first bytes allow.

/** RFC 5321 allows 512 octets per reply line; anything far beyond is not a mail server. */
export const MAX_LINE_BYTES = 1_000;
/**
 * The most one reply may hold. RFC 5321 sets no limit on the lines of a reply; real greetings
 * and EHLO replies stay under 1 KiB, banners with a policy text reach a few KiB. 64 KiB leaves
 * room for any of them and bounds a hostile server (at most 64 KiB per attempt in flight).
 */
export const MAX_REPLY_BYTES = 64 * 1_024;

export interface SmtpReply {
  code: number;
  lines: string[];
}

export type NotSmtpWhy = 'bad-line' | 'line-too-long' | 'reply-too-long' | 'mixed-codes';

export type ParseState =
  | { kind: 'incomplete' }
  | { kind: 'reply'; reply: SmtpReply; rest: string }
  | { kind: 'not-smtp'; why: NotSmtpWhy };

const REPLY_LINE = /^(\d{3})(?:([ -])(.*))?$/;

/**
 * Reads replies from text as it arrives: each complete line is looked at once, so a peer that
 * sends a byte at a time costs no more than one that sends everything at once.
 */
export class ReplyScanner {
  /** Received text not yet split into lines: at most one unfinished line after next(). */
  private pending = '';
  private lines: string[] = [];
  private code: number | undefined;
  private replyBytes = 0;
  private failed: NotSmtpWhy | undefined;
  /** Characters received in all, for "has the peer said anything". */
  private receivedChars = 0;

  push(text: string): void {
    this.receivedChars += text.length;
    if (this.failed === undefined) this.pending += text;
  }

  get received(): number {
    return this.receivedChars;
  }

  /** Forgets what arrived unasked (bytes after a reply, before our next command). */
  discard(): void {
    if (this.failed !== undefined) return;
    this.pending = '';
    this.lines = [];
    this.code = undefined;
    this.replyBytes = 0;
  }

  /** The next complete reply, or whether one may still come. */
  next(): ParseState {
    if (this.failed !== undefined) return { kind: 'not-smtp', why: this.failed };
    let start = 0;
    for (;;) {
      const end = this.pending.indexOf('\n', start);
      if (end < 0) break;
      const line = this.pending.slice(start, end).replace(/\r$/, '');
      start = end + 1;
      const state = this.takeLine(line);
      if (state?.kind === 'reply') {
        this.pending = this.pending.slice(start);
        return { ...state, rest: this.pending };
      }
      if (state !== undefined) return state;
    }
    this.pending = this.pending.slice(start);
    if (this.pending.length > MAX_LINE_BYTES) return this.fail('line-too-long');
    if (!isReplyPrefix(this.pending)) return this.fail('bad-line');
    return { kind: 'incomplete' };
  }

  /** Adds one complete line to the reply being read; says when the reply ends or cannot be one. */
  private takeLine(line: string): ParseState | undefined {
    if (line.length > MAX_LINE_BYTES) return this.fail('line-too-long');
    const match = REPLY_LINE.exec(line);
    if (!match) return this.fail('bad-line');
    const lineCode = Number(match[1]);
    if (this.code !== undefined && lineCode !== this.code) return this.fail('mixed-codes');
    this.code = lineCode;
    this.lines.push(match[3] ?? '');
    this.replyBytes += line.length + 2;
    if (match[2] !== '-') {
      const reply = { code: lineCode, lines: this.lines };
      this.lines = [];
      this.code = undefined;
      this.replyBytes = 0;
      return { kind: 'reply', reply, rest: '' };
    }
    if (this.replyBytes > MAX_REPLY_BYTES) return this.fail('reply-too-long');
    return undefined;
  }

  private fail(why: NotSmtpWhy): ParseState {
    this.failed = why;
    this.pending = '';
    this.lines = [];
    return { kind: 'not-smtp', why };
  }
}

/**
 * Looks at everything received so far and tells whether it holds one complete reply (and what
 * follows it), is a valid beginning of one, or cannot be SMTP. Pure.
 */
export function parseReply(received: string): ParseState {
  const scanner = new ReplyScanner();
  scanner.push(received);
  return scanner.next();
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
