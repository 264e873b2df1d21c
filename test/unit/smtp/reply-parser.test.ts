import { describe, expect, it } from 'vitest';
import {
  ehloKeywords,
  firstLine,
  MAX_REPLY_BYTES,
  parseReply,
  ReplyScanner,
  type ParseState,
} from '../../../src/smtp/reply-parser.js';

describe('parseReply', () => {
  it('reads a one-line greeting', () => {
    const state = parseReply('220 mx.example ESMTP ready\r\n');
    expect(state).toEqual({
      kind: 'reply',
      reply: { code: 220, lines: ['mx.example ESMTP ready'] },
      rest: '',
    });
  });

  it('buffers a multi-line 220- greeting until its last line', () => {
    expect(parseReply('220-mx.example ESMTP\r\n220-no UCE\r\n').kind).toBe('incomplete');
    const state = parseReply('220-mx.example ESMTP\r\n220-no UCE\r\n220 ready\r\n');
    expect(state.kind === 'reply' && state.reply.lines).toEqual([
      'mx.example ESMTP',
      'no UCE',
      'ready',
    ]);
  });

  it('accepts a bare code and LF-only line ends', () => {
    const state = parseReply('220\n');
    expect(state.kind === 'reply' && state.reply.code).toBe(220);
  });

  it('waits for a line cut inside the code or text', () => {
    expect(parseReply('2').kind).toBe('incomplete');
    expect(parseReply('220 mx.exa').kind).toBe('incomplete');
  });

  it.each([
    ['HTTP/1.1 400 Bad Request\r\n', 'bad-line'],
    ['SSH-2.0-OpenSSH_9.2\r\n', 'bad-line'],
    ['\x16\x03\x01\x02\x00', 'bad-line'],
    ['22x', 'bad-line'],
    ['220-a\r\n250 b\r\n', 'mixed-codes'],
  ])('calls %j not SMTP (%s) as soon as it shows', (input, why) => {
    expect(parseReply(input)).toEqual({ kind: 'not-smtp', why });
  });

  it('a complete greeting is a greeting, however many bytes follow it in the buffer', () => {
    const banner = 'banner text after the greeting\r\n'.repeat(2 * (MAX_REPLY_BYTES / 32));
    const state = parseReply(`220 mx.example ready\r\n${banner}`);
    expect(state.kind === 'reply' && state.reply).toEqual({
      code: 220,
      lines: ['mx.example ready'],
    });
  });

  it('reads a multi-line greeting of several KiB, whole or a byte at a time alike', () => {
    const lines = Array.from({ length: 100 }, (_, i) => `220-line ${i} ${'x'.repeat(60)}\r\n`);
    const text = `${lines.join('')}220 done\r\n`;
    expect(text.length).toBeGreaterThan(6_000);
    const whole = parseReply(text);
    const scanner = new ReplyScanner();
    let state: ParseState = { kind: 'incomplete' };
    for (const char of text) {
      scanner.push(char);
      state = scanner.next();
      if (state.kind !== 'incomplete') break;
    }
    expect(whole.kind === 'reply' && whole.reply.lines).toHaveLength(101);
    expect(state).toEqual(whole);
  });

  it('refuses an endless line and an endless reply within their limits', () => {
    expect(parseReply(`220 ${'x'.repeat(2000)}`)).toEqual({
      kind: 'not-smtp',
      why: 'line-too-long',
    });
    const many = '220-filler line of text\r\n'.repeat(Math.ceil(MAX_REPLY_BYTES / 20));
    expect(parseReply(many)).toEqual({ kind: 'not-smtp', why: 'reply-too-long' });
  });

  it('keeps what follows a reply for the next one', () => {
    const state = parseReply('250 ok\r\n221 bye\r\n');
    expect(state.kind === 'reply' && state.rest).toBe('221 bye\r\n');
  });
});

describe('reply helpers', () => {
  it('shows the first line as a person reads it and lists EHLO keywords', () => {
    expect(firstLine({ code: 554, lines: ['no service'] })).toBe('554 no service');
    expect(
      ehloKeywords({ code: 250, lines: ['mx.example', 'PIPELINING', 'STARTTLS', 'size 1000'] }),
    ).toEqual(['PIPELINING', 'STARTTLS', 'SIZE']);
  });
});
