import { describe, expect, it } from 'vitest';
import { base64Forms, redact } from '../../../src/relay/secret.js';
import { classifyRelayError } from '../../../src/relay/classify.js';
import type { RelayStatus } from '../../../src/types.js';

/** An error shaped as nodemailer leaves it (code replaced, Node's errno kept as originalCode). */
function nm(message: string, fields: Record<string, unknown>): Error {
  return Object.assign(new Error(message), fields);
}

const cases: [string, unknown, RelayStatus, RegExp][] = [
  [
    'refused (ESOCKET over ECONNREFUSED)',
    nm('connect ECONNREFUSED 127.0.0.1:587', {
      code: 'ESOCKET',
      originalCode: 'ECONNREFUSED',
      command: 'CONN',
    }),
    'blocked',
    /refused \(ECONNREFUSED\)/,
  ],
  [
    'out of file descriptors on this machine: no verdict about the relay',
    nm('connect EMFILE 127.0.0.1:587', { code: 'ESOCKET', originalCode: 'EMFILE' }),
    'error',
    /^local error on this machine: too many open files \(EMFILE\)$/,
  ],
  [
    'out of local ports (EADDRNOTAVAIL) is local, not unreachable',
    nm('connect EADDRNOTAVAIL', { code: 'ESOCKET', originalCode: 'EADDRNOTAVAIL' }),
    'error',
    /EADDRNOTAVAIL/,
  ],
  [
    'refused, raw Node error',
    nm('connect ECONNREFUSED', { code: 'ECONNREFUSED' }),
    'blocked',
    /ECONNREFUSED/,
  ],
  [
    'ICMP host unreachable',
    nm('connect EHOSTUNREACH', { code: 'ESOCKET', originalCode: 'EHOSTUNREACH' }),
    'blocked',
    /unreachable \(EHOSTUNREACH\)/,
  ],
  [
    'network unreachable',
    nm('connect ENETUNREACH', { code: 'ESOCKET', originalCode: 'ENETUNREACH' }),
    'blocked',
    /ENETUNREACH/,
  ],
  [
    'local firewall rejection',
    nm('connect EPERM', { code: 'ESOCKET', originalCode: 'EPERM' }),
    'blocked',
    /EPERM/,
  ],
  [
    'every address refused (AggregateError from autoSelectFamily)',
    Object.assign(
      new AggregateError(
        [nm('x', { code: 'ECONNREFUSED' }), nm('y', { code: 'ECONNREFUSED' })],
        '',
      ),
      {
        code: 'ESOCKET',
      },
    ),
    'blocked',
    /ECONNREFUSED/,
  ],
  [
    'reset by peer',
    nm('read ECONNRESET', { code: 'ESOCKET', originalCode: 'ECONNRESET' }),
    'blocked',
    /reset \(ECONNRESET\)/,
  ],
  [
    'closed before the session completed',
    nm('Connection closed unexpectedly', { code: 'ECONNECTION', command: 'CONN' }),
    'blocked',
    /closed/,
  ],
  ['verify saw the connection end', nm('Connection closed', {}), 'blocked', /closed by the server/],
  [
    '421 when the server hangs up',
    nm('Connection closed unexpectedly: 421 too busy', {
      code: 'ECONNECTION',
      response: '421 too busy',
      responseCode: 421,
      command: 'CONN',
    }),
    'blocked',
    /rejected by the server: 421 too busy/,
  ],
  [
    'greeting 554',
    nm('Invalid greeting. response=554 no service: 554 no service', {
      code: 'EPROTOCOL',
      response: '554 no service',
      responseCode: 554,
      command: 'CONN',
    }),
    'blocked',
    /greeting rejected: 554 no service/,
  ],
  [
    'not SMTP at all',
    nm('Invalid greeting. response=HTTP/1.1 400: HTTP/1.1 400', {
      code: 'EPROTOCOL',
      response: 'HTTP/1.1 400',
      command: 'CONN',
    }),
    'blocked',
    /not an SMTP server: HTTP\/1\.1 400/,
  ],
  [
    'connect timeout',
    nm('Connection timeout', {
      code: 'ETIMEDOUT',
      timeoutType: 'CONNECT_TIMEOUT',
      command: 'CONN',
    }),
    'filtered',
    /TCP connect/,
  ],
  [
    'accepted but no greeting',
    nm('Greeting never received', {
      code: 'ETIMEDOUT',
      timeoutType: 'GREETING_TIMEOUT',
      command: 'CONN',
    }),
    'filtered',
    /no greeting/,
  ],
  [
    'STARTTLS handshake timed out',
    nm('TLS handshake timed out', {
      code: 'ETIMEDOUT',
      timeoutType: 'UPGRADE_TIMEOUT',
      command: 'CONN',
    }),
    'tls-failed',
    /timed out/,
  ],
  [
    'stalled mid-session',
    nm('Timeout', { code: 'ETIMEDOUT', timeoutType: 'SOCKET_TIMEOUT', command: 'CONN' }),
    'error',
    /stopped answering/,
  ],
  [
    'STARTTLS required, not offered',
    nm('Error upgrading connection with STARTTLS: 500 Error: command not recognized', {
      code: 'ETLS',
      response: '500 Error: command not recognized',
      responseCode: 500,
      command: 'STARTTLS',
    }),
    'tls-failed',
    /STARTTLS refused: 500 Error: command not recognized/,
  ],
  [
    'STARTTLS handshake failed (certificate)',
    nm('Error initiating TLS - self-signed certificate', { code: 'ETLS', command: 'STARTTLS' }),
    'tls-failed',
    /self-signed certificate/,
  ],
  [
    'implicit TLS, untrusted certificate',
    nm('self-signed certificate', { code: 'ESOCKET', originalCode: 'DEPTH_ZERO_SELF_SIGNED_CERT' }),
    'tls-failed',
    /self-signed certificate \(DEPTH_ZERO_SELF_SIGNED_CERT\)/,
  ],
  [
    'implicit TLS, expired certificate',
    nm('certificate has expired', { code: 'ESOCKET', originalCode: 'CERT_HAS_EXPIRED' }),
    'tls-failed',
    /expired/,
  ],
  [
    'implicit TLS, name mismatch',
    nm("Hostname/IP does not match certificate's altnames", {
      code: 'ESOCKET',
      originalCode: 'ERR_TLS_CERT_ALTNAME_INVALID',
    }),
    'tls-failed',
    /ERR_TLS_CERT_ALTNAME_INVALID/,
  ],
  [
    'implicit TLS against plain text',
    nm(
      '805C0BA2587F0000:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:../deps/openssl/openssl/ssl/record/ssl3_record.c:350:',
      { code: 'ESOCKET', originalCode: 'ERR_SSL_WRONG_VERSION_NUMBER' },
    ),
    'tls-failed',
    /^TLS failed: wrong version number \(ERR_SSL_WRONG_VERSION_NUMBER\) — .*STARTTLS/,
  ],
  [
    'REQUIRETLS unsupported',
    nm('Server does not support REQUIRETLS extension (RFC 8689)', { code: 'EREQUIRETLS' }),
    'tls-failed',
    /REQUIRETLS/,
  ],
  [
    'wrong password',
    nm('Invalid login: 535 5.7.8 Authentication credentials invalid', {
      code: 'EAUTH',
      response: '535 5.7.8 Authentication credentials invalid',
      responseCode: 535,
      command: 'AUTH PLAIN',
    }),
    'auth-failed',
    /^credentials rejected: 535 5\.7\.8 Authentication credentials invalid$/,
  ],
  [
    'AUTH not offered',
    nm('Invalid login: 503 5.5.1 Error: authentication not enabled', {
      code: 'EAUTH',
      response: '503 5.5.1 Error: authentication not enabled',
      responseCode: 503,
      command: 'AUTH PLAIN',
    }),
    'auth-failed',
    /does not accept AUTH: 503/,
  ],
  [
    'no credentials configured but AUTH required',
    nm('Authentication info was not provided', { code: 'ENOAUTH' }),
    'auth-failed',
    /no credentials/,
  ],
  [
    'auth failed without a reply',
    nm('Missing credentials for "PLAIN"', { code: 'EAUTH', command: 'API' }),
    'auth-failed',
    /Missing credentials/,
  ],
  [
    'DNS failure',
    nm('getaddrinfo ENOTFOUND smtp.example.invalid', { code: 'EDNS', originalCode: 'ENOTFOUND' }),
    'error',
    /cannot resolve the relay host \(ENOTFOUND\)/,
  ],
  [
    'DNS failure without errno',
    nm('Invalid hostname', { code: 'EDNS' }),
    'error',
    /cannot resolve the relay host: Invalid hostname/,
  ],
  [
    'test message refused',
    nm("Can't send mail - all recipients were rejected: 550 no such user", {
      code: 'EENVELOPE',
      response: '550 no such user',
      responseCode: 550,
      command: 'RCPT TO',
    }),
    'error',
    /test message not accepted: 550 no such user/,
  ],
  ['aborted', nm('Message sending aborted', { code: 'EABORT' }), 'error', /aborted/],
  ['something else', nm('boom', { code: 'EWHATEVER' }), 'error', /boom \(EWHATEVER\)/],
  ['not an Error at all', 'weird', 'error', /weird/],
];

describe('classifyRelayError', () => {
  it.each(cases)('%s', (_name, error, status, reason) => {
    const result = classifyRelayError(error);
    expect(result.status).toBe(status);
    expect(result.reason).toMatch(reason);
  });
});

describe('redact: the password never reaches a reason', () => {
  const secret = 'S3cret-Passw0rd!x';
  // AUTH PLAIN's token puts the password at offset len(user) + 2: 0, 1 and 2 modulo 3.
  it.each(['a', 'ab', 'abc', 'resource|appId|tenantId'])(
    'an echoed AUTH PLAIN token for user %j is replaced whole',
    (user) => {
      const token = Buffer.from(`\0${user}\0${secret}`).toString('base64');
      expect(redact(`535 5.7.8 rejected ${token} (try again)`, secret)).toBe(
        '535 5.7.8 rejected *** (try again)',
      );
    },
  );

  it("the plain password, AUTH LOGIN's base64, and a token glued to other text", () => {
    const login = Buffer.from(secret).toString('base64');
    const glued = `x${Buffer.from(`\0u\0${secret}`).toString('base64')}`;
    for (const text of [`bad ${secret}`, `bad ${login}`, `bad ${glued}`]) {
      const out = redact(text, secret);
      expect(out).not.toContain(secret);
      for (const form of base64Forms(secret)) expect(out).not.toContain(form);
    }
  });

  it('leaves server text without the password alone', () => {
    expect(redact('535 5.7.8 Authentication credentials invalid', secret)).toBe(
      '535 5.7.8 Authentication credentials invalid',
    );
  });
});
