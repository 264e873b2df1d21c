// A relay verification that failed → its status and reason (docs/reference.md, "The JSON report": relays[].status).
// Pure, like probe/classify.ts for attempts: nodemailer's error is read as facts, and only this
// module decides what they mean, so it is tested as a table.

import type { RelayStatus } from '../types.js';
import { describeErrno, LOCAL_ERRNO_CODES, UNREACHABLE_ERRNO_CODES } from '../util/errno.js';
import { firstLine } from '../util/text.js';

export interface RelayClassification {
  status: RelayStatus;
  reason: string;
}

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
  const errno = facts.originalCode ?? (facts.code?.startsWith('E') ? facts.code : undefined);
  return classifyErrno(facts, errno) ?? classifyCode(facts, errno);
}

/**
 * Node's errno comes first: nodemailer files ECONNREFUSED, resets and TLS alerts alike under
 * ESOCKET, which alone cannot tell a refused port from a bad certificate. Undefined when the
 * errno (if any) decides nothing.
 */
function classifyErrno(
  facts: RelayErrorFacts,
  errno: string | undefined,
): RelayClassification | undefined {
  // A failure of this machine says nothing about the relay or the path to it.
  if (errno !== undefined && LOCAL_ERRNO_CODES.has(errno)) {
    return {
      status: 'error',
      reason: `local error on this machine: ${describeErrno({ code: errno })} (${errno})`,
    };
  }
  if (errno === 'ECONNREFUSED')
    return { status: 'blocked', reason: 'connection refused (ECONNREFUSED)' };
  if (errno !== undefined && UNREACHABLE_ERRNO_CODES.has(errno)) {
    return { status: 'blocked', reason: `unreachable (${errno})` };
  }
  if (facts.originalCode !== undefined && TLS_CODE.test(facts.originalCode)) {
    return { status: 'tls-failed', reason: tlsReason(facts.message, facts.originalCode) };
  }
  if (errno !== undefined && DNS_CODES.has(errno)) {
    return { status: 'error', reason: `cannot resolve the relay host (${errno})` };
  }
  return undefined;
}

/** What nodemailer's own code says, once the errno has decided nothing. */
function classifyCode(facts: RelayErrorFacts, errno: string | undefined): RelayClassification {
  const server = facts.response !== undefined ? `: ${firstLine(facts.response)}` : '';
  switch (facts.code ?? '') {
    case 'ETIMEDOUT':
      return classifyTimeout(facts.timeoutType, facts.command);
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
      return classifyProtocol(facts, server);
    case 'EENVELOPE':
    case 'EMESSAGE':
      return {
        status: 'error',
        reason: `test message not accepted${server || `: ${facts.message}`}`,
      };
    case 'EABORT':
      return { status: 'error', reason: 'aborted' };
    default:
      return classifyOther(facts, errno);
  }
}

function classifyProtocol(facts: RelayErrorFacts, server: string): RelayClassification {
  if (facts.command === 'CONN' && isFailureCode(facts.responseCode)) {
    return { status: 'blocked', reason: `greeting rejected${server}` };
  }
  if (facts.command === 'CONN') {
    return { status: 'blocked', reason: `not an SMTP server${server}` };
  }
  return { status: 'error', reason: `protocol error${server || `: ${facts.message}`}` };
}

/** Any other code, or none: a reset, a session that simply ended, or the error as it is. */
function classifyOther(facts: RelayErrorFacts, errno: string | undefined): RelayClassification {
  const { code } = facts;
  if (errno !== undefined && RESET_CODES.has(errno)) {
    return { status: 'blocked', reason: `connection reset (${errno})` };
  }
  // verify() reports a session that simply ended, without a code, as 'Connection closed'.
  if (code === undefined && /^Connection closed/.test(facts.message)) {
    return { status: 'blocked', reason: 'connection closed by the server' };
  }
  return { status: 'error', reason: facts.message + (code !== undefined ? ` (${code})` : '') };
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
      // As for attempts, connected but no greeting in time is `filtered` (no-greeting): from here a
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
