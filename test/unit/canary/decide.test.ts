import { describe, expect, it } from 'vitest';
import {
  decideCanary,
  deliverySeconds,
  type CanaryFacts,
  type FoundMessage,
} from '../../../src/canary/decide.js';
import type { CanarySpec } from '../../../src/canary/types.js';

const SPEC: CanarySpec = {
  name: 'ops-inbox',
  relay: 'sendgrid',
  from: 'canary@example.com',
  to: 'canary@example.net',
  imap: { host: 'imap.example.net', port: 993, secure: 'tls', username: 'u', passwordEnv: 'P' },
  timeoutMs: 300_000,
  intervalMs: 3_600_000,
};
const T0 = Date.UTC(2026, 11, 1, 10, 0, 0);
const ACCEPTED = { accepted: true as const, acceptedAtMs: T0 + 400, reply: '250 2.0.0 Ok: queued' };

function found(over: Partial<FoundMessage> = {}): FoundMessage {
  return {
    folder: 'INBOX',
    junk: false,
    uid: 7,
    arrivedAtMs: T0 + 3_000,
    seenAtMs: T0 + 3_900,
    rawHeaders: 'Authentication-Results: mx.example.net; spf=pass; dkim=pass; dmarc=pass\r\n',
    ...over,
  };
}

describe('the status of one canary run', () => {
  it.each<[string, CanaryFacts, object]>([
    [
      'found in the inbox: delivered, with seconds and verdicts',
      { startedAtMs: T0, send: ACCEPTED, mailbox: { read: true, found: found() } },
      {
        status: 'delivered',
        folder: 'INBOX',
        seconds: 3.5,
        auth: { spf: 'pass', dkim: 'pass', dmarc: 'pass' },
      },
    ],
    [
      'found in the \\Junk folder: spam',
      {
        startedAtMs: T0,
        send: ACCEPTED,
        mailbox: { read: true, found: found({ folder: 'Spam', junk: true }) },
      },
      { status: 'spam', folder: 'Spam', seconds: 3.5 },
    ],
    [
      'accepted, not found: lost',
      { startedAtMs: T0, send: ACCEPTED, mailbox: { read: true, found: undefined } },
      { status: 'lost', seconds: null, folder: null, auth: null, reply: '250 2.0.0 Ok: queued' },
    ],
    [
      'refused: send-failed, quoting the relay',
      {
        startedAtMs: T0,
        send: { accepted: false, reply: '550 5.7.1 sender refused' },
        mailbox: { read: true, found: undefined },
      },
      { status: 'send-failed', seconds: null, reply: '550 5.7.1 sender refused' },
    ],
    [
      'the mailbox failed before sending: imap-failed',
      {
        startedAtMs: T0,
        send: undefined,
        mailbox: { read: false, problem: 'IMAP login failed: bad' },
      },
      { status: 'imap-failed', reply: 'IMAP login failed: bad', auth: null },
    ],
    [
      'the mailbox failed while waiting: imap-failed, though the relay accepted it',
      {
        startedAtMs: T0,
        send: ACCEPTED,
        mailbox: { read: false, problem: 'IMAP: connection closed' },
      },
      { status: 'imap-failed', reply: 'IMAP: connection closed' },
    ],
  ])('%s', (_name, facts, expected) => {
    expect(decideCanary(SPEC, facts)).toMatchObject({
      name: 'ops-inbox',
      relay: 'sendgrid',
      ...expected,
    });
  });

  it("seconds: the earlier of INTERNALDATE's second and the sighting, never before the acceptance", () => {
    // A search long after the arrival: INTERNALDATE (whole seconds) bounds it to its second.
    expect(deliverySeconds(T0, found({ arrivedAtMs: T0 + 2_000, seenAtMs: T0 + 9_000 }))).toBe(3);
    // IDLE saw it within its second: the sighting is the closer bound.
    expect(deliverySeconds(T0, found({ arrivedAtMs: T0 + 1_000, seenAtMs: T0 + 1_480 }))).toBe(1.5);
    // A server clock running ahead: our own sighting.
    expect(deliverySeconds(T0, found({ arrivedAtMs: T0 + 60_000, seenAtMs: T0 + 1_250 }))).toBe(
      1.3,
    );
    // A server clock running behind: never negative.
    expect(
      deliverySeconds(T0 + 800, found({ arrivedAtMs: T0 - 5_000, seenAtMs: T0 + 1_000 })),
    ).toBe(0);
    expect(deliverySeconds(T0, found({ arrivedAtMs: null, seenAtMs: T0 + 4_440 }))).toBe(4.4);
  });
});
