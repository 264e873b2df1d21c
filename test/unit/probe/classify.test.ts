import { describe, expect, it } from 'vitest';
import { classifyAttempt, type DialOutcome } from '../../../src/probe/classify-attempt.js';
import { tlsFailureOf } from '../../../src/smtp/tls.js';

describe('classifyAttempt (docs/reference.md, Results and reasons, rule by rule)', () => {
  it.each<[string, DialOutcome, string, string]>([
    ['a 220 greeting', { kind: 'greeting', code: 220 }, 'reachable', 'greeting'],
    ['RST on connect', { kind: 'connect-error', code: 'ECONNREFUSED' }, 'blocked', 'refused'],
    [
      'ICMP host unreachable / admin prohibited',
      { kind: 'connect-error', code: 'EHOSTUNREACH' },
      'blocked',
      'unreachable',
    ],
    [
      'ICMP net unreachable or no route',
      { kind: 'connect-error', code: 'ENETUNREACH' },
      'blocked',
      'unreachable',
    ],
    [
      'local firewall rejection (EACCES)',
      { kind: 'connect-error', code: 'EACCES' },
      'blocked',
      'unreachable',
    ],
    [
      'local firewall drop in output (EPERM)',
      { kind: 'connect-error', code: 'EPERM' },
      'blocked',
      'unreachable',
    ],
    [
      'the kernel giving up on SYNs',
      { kind: 'connect-error', code: 'ETIMEDOUT' },
      'filtered',
      'timeout',
    ],
    ['reset during connect', { kind: 'connect-error', code: 'ECONNRESET' }, 'blocked', 'reset'],
    ['no answer before the connect timeout', { kind: 'connect-timeout' }, 'filtered', 'timeout'],
    ['reset after accept', { kind: 'closed', code: 'ECONNRESET' }, 'blocked', 'reset'],
    ['close after accept', { kind: 'closed', code: undefined }, 'blocked', 'reset'],
    ['a 554 greeting', { kind: 'greeting', code: 554 }, 'blocked', 'rejected'],
    ['a 421 greeting', { kind: 'greeting', code: 421 }, 'blocked', 'rejected'],
    ['a 250 as greeting', { kind: 'greeting', code: 250 }, 'blocked', 'protocol'],
    ['bytes that are not SMTP', { kind: 'not-smtp' }, 'blocked', 'protocol'],
    ['silence after connect', { kind: 'greeting-timeout' }, 'filtered', 'no-greeting'],
    [
      '465: handshake aborted by the peer',
      { kind: 'tls-failed', failure: 'peer-abort', code: 'ECONNRESET' },
      'blocked',
      'reset',
    ],
    [
      '465: the peer does not speak TLS',
      { kind: 'tls-failed', failure: 'not-tls', code: 'ERR_SSL_WRONG_VERSION_NUMBER' },
      'blocked',
      'protocol',
    ],
    [
      '465: no handshake before the greeting timeout',
      { kind: 'tls-failed', failure: 'timeout', code: undefined },
      'filtered',
      'no-greeting',
    ],
    // Contract §2, version 2: a failure of this machine is not a verdict about the path.
    ['out of file descriptors', { kind: 'connect-error', code: 'EMFILE' }, 'error', 'local'],
    ['the system out of files', { kind: 'connect-error', code: 'ENFILE' }, 'error', 'local'],
    ['out of socket buffers', { kind: 'connect-error', code: 'ENOBUFS' }, 'error', 'local'],
    ['out of local ports', { kind: 'connect-error', code: 'EADDRNOTAVAIL' }, 'error', 'local'],
    ['out of memory while reading', { kind: 'closed', code: 'ENOMEM' }, 'error', 'local'],
    [
      '465: a certificate chain larger than this TLS client reads',
      { kind: 'tls-failed', failure: 'local', code: 'ERR_SSL_EXCESSIVE_MESSAGE_SIZE' },
      'error',
      'local',
    ],
  ])('%s → %s/%s', (_what, outcome, result, reason) => {
    expect(classifyAttempt(outcome)).toEqual({ result, reason });
  });
});

describe('tlsFailureOf', () => {
  it.each([
    ['ERR_SSL_WRONG_VERSION_NUMBER', 'not-tls'],
    ['ERR_SSL_PACKET_LENGTH_TOO_LONG', 'not-tls'],
    ['ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE', 'peer-abort'],
    ['ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION', 'peer-abort'],
    ['ECONNRESET', 'peer-abort'],
    [undefined, 'peer-abort'],
    ['ERR_SSL_EXCESSIVE_MESSAGE_SIZE', 'local'],
    // The same local failures as a connect's (util/errno.ts): this machine, not the peer.
    ['EMFILE', 'local'],
    ['ENOBUFS', 'local'],
    ['EAGAIN', 'local'],
  ])('%s → %s', (code, failure) => {
    expect(tlsFailureOf(code)).toBe(failure);
  });
});
