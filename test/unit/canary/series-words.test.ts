import { describe, expect, it } from 'vitest';
import { canarySeries } from '../../../src/report/canary-series.js';
import {
  AUTH_METHODS,
  AUTH_RESULTS,
  CANARY_STATUSES,
  type CanaryReport,
} from '../../../src/canary/types.js';
import {
  CANARY_HINT_WORDS,
  canaryHints,
  deliveryLines,
  type CanaryHint,
} from '../../../src/canary/words.js';

function report(name: string, over: Partial<CanaryReport>): CanaryReport {
  return {
    name,
    relay: 'sendgrid',
    status: 'delivered',
    seconds: null,
    folder: null,
    auth: null,
    reply: null,
    startedAt: '2026-12-01T10:00:00.000Z',
    ...over,
  };
}
const DELIVERED = report('ops-inbox', {
  seconds: 4.2,
  folder: 'INBOX',
  auth: { spf: 'pass', dkim: 'pass', dmarc: 'none' },
  reply: '250 Ok',
});
const SPAM = report('ops-junk', {
  status: 'spam',
  seconds: 12,
  folder: '[Gmail]/Spam',
  auth: { spf: 'softfail', dkim: 'missing', dmarc: 'fail' },
});
const LOST = report('ops-lost', { status: 'lost', reply: '250 Ok' });
const REFUSED = report('ops-refused', {
  status: 'send-failed',
  reply: '550 5.7.1 Sender address rejected',
});
const IMAP = report('ops-imap', {
  status: 'imap-failed',
  reply: 'IMAP login failed: Authentication failed.',
});

describe('canary metrics', () => {
  it('mxprobe_canary_status is a complete state set per canary', () => {
    const { status } = canarySeries([DELIVERED, LOST]);
    expect(status).toHaveLength(2 * CANARY_STATUSES.length);
    expect(status.filter((s) => s.value === 1).map((s) => s.labels)).toEqual([
      { canary: 'ops-inbox', status: 'delivered' },
      { canary: 'ops-lost', status: 'lost' },
    ]);
  });

  it('delivery seconds and auth results only for a message that was read', () => {
    const series = canarySeries([DELIVERED, SPAM, LOST, REFUSED, IMAP]);
    expect(series.deliverySeconds).toEqual([
      { labels: { canary: 'ops-inbox' }, value: 4.2 },
      { labels: { canary: 'ops-junk' }, value: 12 },
    ]);
    expect(series.authResult).toHaveLength(2 * AUTH_METHODS.length * AUTH_RESULTS.length);
    expect(
      series.authResult
        .filter((s) => s.value === 1 && s.labels.canary === 'ops-junk')
        .map((s) => s.labels),
    ).toEqual([
      { canary: 'ops-junk', method: 'spf', result: 'softfail' },
      { canary: 'ops-junk', method: 'dkim', result: 'missing' },
      { canary: 'ops-junk', method: 'dmarc', result: 'fail' },
    ]);
  });
});

describe('canary hints and the Delivery section', () => {
  it.each<[string, CanaryReport[], CanaryHint[]]>([
    ['all delivered', [DELIVERED], []],
    ['one lost', [DELIVERED, LOST], ['canary-lost']],
    ['one in spam', [SPAM], ['canary-spam']],
    ['both, in a fixed order', [SPAM, LOST], ['canary-lost', 'canary-spam']],
    ['failures to send or read say nothing about delivery', [REFUSED, IMAP], []],
  ])('%s', (_name, reports, hints) => {
    expect(canaryHints(reports)).toEqual(hints);
    for (const hint of hints) expect(CANARY_HINT_WORDS[hint].length).toBeGreaterThan(40);
  });

  it('one line per canary, each status in words', () => {
    expect(deliveryLines([])).toEqual([]);
    expect(deliveryLines([DELIVERED, SPAM, LOST, REFUSED, IMAP])).toEqual([
      'Delivery',
      '  ops-inbox via sendgrid: delivered to INBOX in 4.2 s (spf pass, dkim pass, dmarc none)',
      '  ops-junk via sendgrid: filed as SPAM in [Gmail]/Spam after 12.0 s (spf softfail, dkim missing, dmarc fail)',
      '  ops-lost via sendgrid: LOST: the relay accepted it, and it did not arrive in the inbox or the junk folder in time',
      '  ops-refused via sendgrid: NOT SENT: the relay refused it: 550 5.7.1 Sender address rejected',
      '  ops-imap via sendgrid: UNKNOWN: the mailbox could not be read: IMAP login failed: Authentication failed.',
    ]);
  });
});
