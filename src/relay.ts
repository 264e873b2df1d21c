// Verifies a configured authenticated relay end to end (connect, TLS, AUTH) with nodemailer,
// and turns whatever went wrong into one of the relay statuses of CONTRACT §6.
//
// The secret is read only here, only when verifying, and never leaves this module: it is not
// logged, not put in the report, and scrubbed from any server text that ends up in `reason`.

import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { isIP, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { createTransport, type SMTPTransportOptions } from 'nodemailer';
import { UNREACHABLE_CODES } from './classify.js';
import type { RelayReport, RelaySpec, RelayStatus } from './types.js';

export interface VerifyRelayOptions {
  connectTimeoutMs: number;
  /** Bounds the greeting, the TLS upgrade and, between replies, every later step. */
  greetingTimeoutMs: number;
  /** Aborting closes the socket at once and reports `error` / "aborted". */
  signal?: AbortSignal;
  /** Where the password comes from; defaults to readRelaySecret (file or environment). */
  readSecret?: (relay: RelaySpec) => Promise<string | undefined>;
  /** Trust anchors that replace the system's for this relay (a private CA, a test certificate). */
  ca?: string | Buffer;
}

export interface RelayClassification {
  status: RelayStatus;
  reason: string;
}

/** A problem with the secret itself (missing file, unset variable): the relay was not tried. */
export class RelaySecretError extends Error {
  override readonly name = 'RelaySecretError';
}

const MAX_REASON_CHARS = 300;

/**
 * Reads the relay's password from `passwordFile` (one trailing newline stripped, as files
 * written by `echo` or systemd-creds carry one) or from the variable `passwordEnv`.
 * Returns undefined when the relay has no username (no AUTH wanted).
 */
export async function readRelaySecret(
  relay: RelaySpec,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string | undefined> {
  if (relay.passwordFile !== undefined) {
    let text: string;
    try {
      text = await readFile(relay.passwordFile, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
      const why =
        code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code;
      throw new RelaySecretError(`cannot read passwordFile ${relay.passwordFile}: ${why}`, {
        cause: error,
      });
    }
    const secret = text.replace(/\r?\n$/, '');
    if (secret === '') throw new RelaySecretError(`passwordFile ${relay.passwordFile} is empty`);
    return secret;
  }
  if (relay.passwordEnv !== undefined) {
    const secret = env[relay.passwordEnv];
    if (secret === undefined || secret === '') {
      throw new RelaySecretError(`environment variable ${relay.passwordEnv} is not set or empty`);
    }
    return secret;
  }
  if (relay.username !== undefined) {
    throw new RelaySecretError('a username is configured but neither passwordFile nor passwordEnv');
  }
  return undefined;
}

/** Connects, upgrades to TLS, authenticates (and sends a test message only if configured). */
export async function verifyRelay(
  relay: RelaySpec,
  options: VerifyRelayOptions,
): Promise<RelayReport> {
  const started = performance.now();
  const report = (status: RelayStatus, reason: string | null): RelayReport => ({
    name: relay.name,
    host: relay.host,
    port: relay.port,
    status,
    reason,
    durationMs: Math.round(performance.now() - started),
  });

  if (options.signal?.aborted) return report('error', 'aborted');

  let password: string | undefined;
  try {
    password = await (options.readSecret ?? readRelaySecret)(relay);
  } catch (error) {
    return report('error', secretProblem(error));
  }
  const scrub = (text: string): string => redact(text, password);

  // Handing nodemailer an unconnected socket keeps a handle on it, so an abort (daemon
  // shutdown) can close the connection instead of waiting for nodemailer's own timeouts.
  const sockets: Socket[] = [];
  const transportOptions = (): SMTPTransportOptions => {
    const socket = new Socket();
    sockets.push(socket);
    return relayTransportOptions(relay, password, options, socket);
  };
  const onAbort = (): void => sockets.forEach((socket) => socket.destroy());
  options.signal?.addEventListener('abort', onAbort, { once: true });

  try {
    await untilAborted(createTransport(transportOptions()).verify(), options.signal);
    if (relay.testRecipient === undefined) return report('ok', null);
    const info = await untilAborted(
      createTransport(transportOptions()).sendMail({
        from: relay.testSender ?? defaultSender(relay),
        to: relay.testRecipient,
        subject: `mxprobe relay test (${relay.name})`,
        text: `Test message from mxprobe on ${hostname()}: relay ${relay.name} (${relay.host}:${relay.port}) accepted it.`,
      }),
      options.signal,
    );
    return report('ok', scrub(`test message accepted for ${info.accepted.join(', ')}`));
  } catch (error) {
    if (options.signal?.aborted) return report('error', 'aborted');
    const { status, reason } = classifyRelayError(error);
    return report(status, scrub(reason));
  } finally {
    // On success nodemailer ends the session itself with QUIT; only an abort cuts it short.
    options.signal?.removeEventListener('abort', onAbort);
  }
}

function relayTransportOptions(
  relay: RelaySpec,
  password: string | undefined,
  options: VerifyRelayOptions,
  socket: Socket,
): SMTPTransportOptions {
  const credentials =
    relay.username !== undefined && password !== undefined
      ? { user: relay.username, pass: password }
      : undefined;
  return {
    host: relay.host,
    port: relay.port,
    // 'tls': TLS from the first byte (465); 'starttls': plain connect, then STARTTLS is
    // mandatory; 'none': stay in plain text even if STARTTLS is offered — what the user chose.
    secure: relay.secure === 'tls',
    requireTLS: relay.secure === 'starttls',
    ignoreTLS: relay.secure === 'none',
    socket,
    auth: credentials,
    // Without forceAuth, nodemailer reports success against a server that offers no AUTH at
    // all; a relay that cannot authenticate us is not a working relay.
    forceAuth: credentials !== undefined,
    connectionTimeout: options.connectTimeoutMs,
    dnsTimeout: options.connectTimeoutMs,
    greetingTimeout: options.greetingTimeoutMs,
    // Idle time between replies later in the session; longer than the greeting timeout so a
    // silent listener is reported by the greeting timer (filtered), not as a stalled session.
    socketTimeout: options.connectTimeoutMs + options.greetingTimeoutMs,
    // The relay is the user's real way out: certificates are verified, as a mail client would.
    tls: {
      rejectUnauthorized: true,
      ...(isIP(relay.host) === 0 ? { servername: relay.host } : {}),
      ...(options.ca !== undefined ? { ca: options.ca } : {}),
    },
    logger: false,
    debug: false,
  };
}

function defaultSender(relay: RelaySpec): string {
  if (relay.username?.includes('@')) return relay.username;
  return `mxprobe@${hostname()}`;
}

function secretProblem(error: unknown): string {
  if (error instanceof RelaySecretError) return error.message;
  return `cannot read the password: ${error instanceof Error ? error.message : String(error)}`;
}

/** Resolves or rejects with `work`, or rejects as soon as `signal` aborts. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return work;
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new Error('aborted'));
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** Never let the secret (plain or base64, as AUTH PLAIN/LOGIN send it) into a reason. */
function redact(text: string, secret: string | undefined): string {
  let out = text;
  if (secret !== undefined && secret !== '') {
    for (const form of [secret, Buffer.from(secret).toString('base64')]) {
      out = out.split(form).join('***');
    }
  }
  return out.length > MAX_REASON_CHARS ? `${out.slice(0, MAX_REASON_CHARS - 1)}…` : out;
}

// ---------------------------------------------------------------------------------------------
// Classification: nodemailer's error → relay status. Pure, so it is tested as a table.

/** What nodemailer leaves on its errors; everything optional because anything can be thrown. */
interface RelayErrorFacts {
  /** nodemailer's code (EAUTH, ETLS, ESOCKET, ...) or Node's own when nodemailer kept it. */
  code: string | undefined;
  /** Node's errno code that nodemailer replaced (ECONNREFUSED under ESOCKET, ...). */
  originalCode: string | undefined;
  responseCode: number | undefined;
  response: string | undefined;
  command: string | undefined;
  /** Which of nodemailer's phase timers fired. */
  timeoutType: string | undefined;
  message: string;
}

const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);

const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'ENODATA', 'ESERVFAIL']);

/** OpenSSL verification failures and Node's TLS errors: the TLS layer, not the path. */
const TLS_CODE =
  /^(CERT_|ERR_TLS_|ERR_SSL_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_|HOSTNAME_MISMATCH|INVALID_CA|INVALID_PURPOSE|PATH_LENGTH_EXCEEDED)/;

export function classifyRelayError(error: unknown): RelayClassification {
  const facts = relayErrorFacts(error);
  const { code, timeoutType } = facts;
  const errno = facts.originalCode ?? (code?.startsWith('E') ? code : undefined);
  const server = facts.response !== undefined ? `: ${firstLine(facts.response)}` : '';

  // Node's errno comes first: nodemailer files ECONNREFUSED, resets and TLS alerts alike
  // under ESOCKET, which alone cannot tell a refused port from a bad certificate.
  if (errno === 'ECONNREFUSED')
    return { status: 'blocked', reason: 'connection refused (ECONNREFUSED)' };
  if (errno !== undefined && UNREACHABLE_CODES.has(errno)) {
    return { status: 'blocked', reason: `unreachable (${errno})` };
  }
  if (facts.originalCode !== undefined && TLS_CODE.test(facts.originalCode)) {
    return { status: 'tls-failed', reason: tlsReason(facts.message, facts.originalCode) };
  }
  if (errno !== undefined && DNS_CODES.has(errno)) {
    return { status: 'error', reason: `cannot resolve the relay host (${errno})` };
  }

  switch (code ?? '') {
    case 'ETIMEDOUT':
      return classifyTimeout(timeoutType, facts.command);
    case 'EAUTH':
    case 'ENOAUTH':
      return { status: 'auth-failed', reason: authReason(facts) };
    case 'ETLS':
    case 'EREQUIRETLS':
      return {
        status: 'tls-failed',
        reason:
          facts.command === 'STARTTLS' && facts.response !== undefined
            ? `STARTTLS refused${server}`
            : tlsReason(facts.message, facts.originalCode),
      };
    case 'EDNS':
      return { status: 'error', reason: `cannot resolve the relay host: ${facts.message}` };
    case 'ESOCKET':
    case 'ECONNECTION':
      return classifyClosed(facts, server);
    case 'EPROTOCOL':
      if (facts.command === 'CONN' && isFailureCode(facts.responseCode)) {
        return { status: 'blocked', reason: `greeting rejected${server}` };
      }
      if (facts.command === 'CONN') {
        return { status: 'blocked', reason: `not an SMTP server${server}` };
      }
      return { status: 'error', reason: `protocol error${server || `: ${facts.message}`}` };
    case 'EENVELOPE':
    case 'EMESSAGE':
      return {
        status: 'error',
        reason: `test message not accepted${server || `: ${facts.message}`}`,
      };
    case 'EABORT':
      return { status: 'error', reason: 'aborted' };
    default:
      if (errno !== undefined && RESET_CODES.has(errno)) {
        return { status: 'blocked', reason: `connection reset (${errno})` };
      }
      // verify() reports a session that simply ended, without a code, as 'Connection closed'.
      if (code === undefined && /^Connection closed/.test(facts.message)) {
        return { status: 'blocked', reason: 'connection closed by the server' };
      }
      return { status: 'error', reason: facts.message + (code !== undefined ? ` (${code})` : '') };
  }
}

function classifyTimeout(
  timeoutType: string | undefined,
  command: string | undefined,
): RelayClassification {
  switch (timeoutType ?? '') {
    case 'CONNECT_TIMEOUT':
      return {
        status: 'filtered',
        reason: 'no answer to the TCP connect before the connect timeout',
      };
    case 'GREETING_TIMEOUT':
      // CONTRACT §2: connected but no greeting in time is `filtered` (no-greeting): from here a
      // silent listener and a middlebox that completes the handshake and then drops look alike.
      return {
        status: 'filtered',
        reason: 'connected, but no greeting before the greeting timeout',
      };
    case 'UPGRADE_TIMEOUT':
      return { status: 'tls-failed', reason: 'TLS handshake timed out' };
    default:
      // The session was under way and the server stopped answering: not a path verdict.
      return {
        status: 'error',
        reason: `the relay stopped answering${command !== undefined && command !== 'CONN' ? ` after ${command}` : ''} (timeout)`,
      };
  }
}

function classifyClosed(facts: RelayErrorFacts, server: string): RelayClassification {
  if (isFailureCode(facts.responseCode)) {
    return { status: 'blocked', reason: `rejected by the server${server}` };
  }
  if (facts.originalCode !== undefined && RESET_CODES.has(facts.originalCode)) {
    return { status: 'blocked', reason: `connection reset (${facts.originalCode})` };
  }
  if (/STARTTLS/i.test(facts.message)) return { status: 'tls-failed', reason: facts.message };
  if (/closed/i.test(facts.message)) {
    return { status: 'blocked', reason: 'connection closed by the server' };
  }
  return {
    status: 'error',
    reason: facts.message + (facts.originalCode !== undefined ? ` (${facts.originalCode})` : ''),
  };
}

function tlsReason(message: string, code: string | undefined): string {
  // OpenSSL's own text ("8057...:error:0A00010B:SSL routines:ssl3_get_record:wrong version
  // number:../deps/...") carries one useful phrase.
  const detail = /SSL routines:[^:]*:([^:]+)/.exec(message)?.[1] ?? message;
  const hint = /wrong version number/i.test(detail)
    ? ' — the server did not answer with TLS; is this a STARTTLS port?'
    : '';
  return `TLS failed: ${detail}${code !== undefined ? ` (${code})` : ''}${hint}`;
}

function authReason(facts: RelayErrorFacts): string {
  if (facts.code === 'ENOAUTH') return 'the server requires AUTH but no credentials are configured';
  const response = facts.response !== undefined ? firstLine(facts.response) : undefined;
  switch (facts.responseCode) {
    case 500:
    case 502:
    case 503:
    case 504:
      return `the server does not accept AUTH: ${response ?? facts.message}`;
    case undefined:
      return `authentication failed: ${facts.message}`;
    default:
      return `credentials rejected: ${response ?? facts.message}`;
  }
}

function isFailureCode(code: number | undefined): boolean {
  return code !== undefined && code >= 400 && code < 600;
}

function firstLine(text: string): string {
  return text.split(/\r?\n/, 1)[0] ?? '';
}

function relayErrorFacts(error: unknown): RelayErrorFacts {
  if (typeof error !== 'object' || error === null) {
    return {
      code: undefined,
      originalCode: undefined,
      responseCode: undefined,
      response: undefined,
      command: undefined,
      timeoutType: undefined,
      message: String(error),
    };
  }
  const record = error as Record<string, unknown>;
  const str = (key: string): string | undefined =>
    typeof record[key] === 'string' ? record[key] : undefined;
  // With several addresses Node reports an AggregateError; its first error carries the errno.
  const nested = Array.isArray(record.errors) ? (record.errors[0] as unknown) : undefined;
  const nestedCode =
    typeof nested === 'object' &&
    nested !== null &&
    typeof (nested as { code?: unknown }).code === 'string'
      ? (nested as { code: string }).code
      : undefined;
  const message = str('message') ?? 'unknown error';
  return {
    code: str('code'),
    originalCode: str('originalCode') ?? nestedCode,
    responseCode: typeof record.responseCode === 'number' ? record.responseCode : undefined,
    response: str('response'),
    command: str('command'),
    timeoutType: str('timeoutType'),
    // nodemailer appends the server response to the message; the response is shown on its own.
    message: stripResponse(message, str('response')),
  };
}

function stripResponse(message: string, response: string | undefined): string {
  if (response === undefined) return message;
  const suffix = `: ${response}`;
  return message.endsWith(suffix) ? message.slice(0, -suffix.length) : message;
}
