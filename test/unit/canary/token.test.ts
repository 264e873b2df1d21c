import { describe, expect, it } from 'vitest';
import { canaryMarker, makeCanaryToken, tokenOf } from '../../../src/canary/token.js';
import { headerValue } from '../../../src/canary/mailbox.js';

describe('the canary token', () => {
  it('names the canary and is unique per time and random part', () => {
    const a = makeCanaryToken('ops-inbox', 1_700_000_000_000, '9f2c4e1b');
    const b = makeCanaryToken('ops-inbox', 1_700_000_000_000, '00000001');
    expect(a.token).toBe('ops-inbox/loyw3v28/9f2c4e1b');
    expect(a.token).not.toBe(b.token);
    expect(a.subject).toContain(a.token);
    expect(a.header).toBe('canary=ops-inbox; token=ops-inbox/loyw3v28/9f2c4e1b');
  });

  it('reads back only its own canary\'s tokens: "ops" never matches "ops-inbox"', () => {
    const { header, token } = makeCanaryToken('ops-inbox', 1, 'ab');
    expect(tokenOf(header, 'ops-inbox')).toBe(token);
    expect(tokenOf(header, 'ops')).toBeUndefined();
    expect(header.includes(canaryMarker('ops'))).toBe(false);
    expect(header.includes(canaryMarker('ops-inbox'))).toBe(true);
    expect(tokenOf('canary=ops-inbox; token=other/1/ab', 'ops-inbox')).toBeUndefined();
    expect(tokenOf('a person wrote ops-inbox/1/ab here', 'ops-inbox')).toBeUndefined();
  });

  it('finds the header in a fetched header block, folded or not, in any case', () => {
    const raw = 'Subject: x\r\nx-mxprobe-canary: canary=a;\r\n token=a/1/ff\r\n\r\n';
    expect(tokenOf(headerValue(raw, 'X-Mxprobe-Canary') ?? '', 'a')).toBe('a/1/ff');
    expect(headerValue(raw, 'Authentication-Results')).toBeUndefined();
  });
});
