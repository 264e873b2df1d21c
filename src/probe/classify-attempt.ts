// Facts about one attempt → its result and reason (docs/reference.md, "Results and reasons").
// Pure: the dialer reports what the socket saw; only this module decides what that means.

import type { TlsFailure } from '../smtp/tls.js';
import type { Reason, Result } from '../types.js';
import { assertNever } from '../util/assert-never.js';
import { LOCAL_ERRNO_CODES, UNREACHABLE_ERRNO_CODES } from '../util/errno.js';

/** How far an attempt got before it ended, as seen on the wire. */
export type DialOutcome =
  /** connect() failed with Node's errno code (ECONNREFUSED, EHOSTUNREACH, EPERM, ...). */
  | { kind: 'connect-error'; code: string }
  /** No SYN-ACK, RST or ICMP error arrived before the connect timeout. */
  | { kind: 'connect-timeout' }
  /** Implicit TLS (465) failed during the handshake. */
  | { kind: 'tls-failed'; failure: TlsFailure; code: string | undefined }
  /** The peer reset or closed the connection before a complete greeting (or a local error). */
  | { kind: 'closed'; code: string | undefined }
  /** Connected (and TLS done), but no complete greeting before the greeting timeout. */
  | { kind: 'greeting-timeout' }
  /** Bytes arrived that cannot be an SMTP reply. */
  | { kind: 'not-smtp' }
  /** A complete greeting reply with this code. */
  | { kind: 'greeting'; code: number };

export interface Classification {
  result: Result;
  reason: Reason;
}

const LOCAL_ERROR: Classification = { result: 'error', reason: 'local' };

export function classifyAttempt(outcome: DialOutcome): Classification {
  switch (outcome.kind) {
    case 'connect-error':
      return classifyConnectError(outcome.code);
    case 'connect-timeout':
      return { result: 'filtered', reason: 'timeout' };
    case 'tls-failed':
      return classifyTlsFailure(outcome.failure);
    case 'closed':
      return outcome.code !== undefined && LOCAL_ERRNO_CODES.has(outcome.code)
        ? LOCAL_ERROR
        : { result: 'blocked', reason: 'reset' };
    case 'greeting-timeout':
      return { result: 'filtered', reason: 'no-greeting' };
    case 'not-smtp':
      return { result: 'blocked', reason: 'protocol' };
    case 'greeting':
      return classifyGreetingCode(outcome.code);
    default:
      return assertNever(outcome);
  }
}

export function classifyConnectError(code: string): Classification {
  // This machine could not make the attempt (out of descriptors, ports, memory): no verdict.
  if (LOCAL_ERRNO_CODES.has(code)) return LOCAL_ERROR;
  if (code === 'ECONNREFUSED') return { result: 'blocked', reason: 'refused' };
  // The kernel's own SYN timeout: nothing answered, as with our connect timeout.
  if (code === 'ETIMEDOUT') return { result: 'filtered', reason: 'timeout' };
  if (code === 'ECONNRESET') return { result: 'blocked', reason: 'reset' };
  if (UNREACHABLE_ERRNO_CODES.has(code)) return { result: 'blocked', reason: 'unreachable' };
  // Any other local failure to connect is still "something said no", never "nothing answered".
  return { result: 'blocked', reason: 'unreachable' };
}

function classifyTlsFailure(failure: TlsFailure): Classification {
  switch (failure) {
    case 'peer-abort':
      return { result: 'blocked', reason: 'reset' };
    case 'not-tls':
      return { result: 'blocked', reason: 'protocol' };
    case 'timeout':
      return { result: 'filtered', reason: 'no-greeting' };
    case 'local':
      return LOCAL_ERROR;
    default:
      return assertNever(failure);
  }
}

/** 220 is a welcome; 4xx/5xx (421, 554) is a refusal; anything else is not a greeting. */
export function classifyGreetingCode(code: number): Classification {
  if (code === 220) return { result: 'reachable', reason: 'greeting' };
  if (code >= 400 && code <= 599) return { result: 'blocked', reason: 'rejected' };
  return { result: 'blocked', reason: 'protocol' };
}
