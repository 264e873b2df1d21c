// TLS on an open socket (implicit TLS on 465, or after STARTTLS), and what the certificate
// says. Certificates are not verified here: a bad certificate does not change whether SMTP gets
// through; its facts are reported beside the result (authorized: false and why).

import type net from 'node:net';
import tls from 'node:tls';
import { abortError } from '../util/abort.js';
import { LOCAL_ERRNO_CODES } from '../util/errno.js';
import type { TlsFacts } from '../types.js';

export type Secured =
  | { kind: 'secured'; socket: tls.TLSSocket }
  | { kind: 'failed'; failure: TlsFailure; code: string | undefined };

export interface TlsRequest {
  /** Host name for SNI; undefined when probing a bare address. */
  servername: string | undefined;
  signal?: AbortSignal | undefined;
}

/** Shakes hands in TLS over `socket` within `timeoutMs`; failures are facts, aborts reject. */
export function startTls(
  socket: net.Socket,
  request: TlsRequest,
  timeoutMs: number,
): Promise<Secured> {
  return new Promise((resolve, reject) => {
    const options: tls.ConnectionOptions = { socket, rejectUnauthorized: false };
    if (request.servername) options.servername = request.servername;
    const secure = tls.connect(options);
    let settled = false;
    const finish = (result: Secured | Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.signal?.removeEventListener('abort', onAbort);
      secure.removeAllListeners('secureConnect');
      if (result instanceof Error) reject(result);
      else {
        if (result.kind === 'failed') secure.destroy();
        resolve(result);
      }
    };
    const onAbort = (): void => {
      secure.destroy();
      finish(abortError(request.signal));
    };
    const timer = setTimeout(
      () => finish({ kind: 'failed', failure: 'timeout', code: undefined }),
      Math.max(0, timeoutMs),
    );
    request.signal?.addEventListener('abort', onAbort, { once: true });
    secure.once('secureConnect', () => {
      secure.removeAllListeners('error');
      secure.on('error', () => undefined);
      finish({ kind: 'secured', socket: secure });
    });
    secure.once('error', (error: NodeJS.ErrnoException) => {
      finish({ kind: 'failed', failure: tlsFailureOf(error.code), code: error.code });
    });
    secure.once('close', () => finish({ kind: 'failed', failure: 'peer-abort', code: undefined }));
  });
}

export function tlsFactsOf(socket: tls.TLSSocket): TlsFacts {
  const cert = socket.getPeerCertificate();
  const validTo = cert.valid_to ? new Date(cert.valid_to) : undefined;
  const error = socket.authorizationError as Error | string | null | undefined;
  return {
    protocol: socket.getProtocol() ?? null,
    authorized: socket.authorized,
    authorizationError: error ? (typeof error === 'string' ? error : error.message) : null,
    subject: subjectOf(cert),
    validTo: validTo && !Number.isNaN(validTo.getTime()) ? validTo.toISOString() : null,
  };
}

function subjectOf(cert: tls.PeerCertificate): string | null {
  // Node types CN as a string, but a certificate with several CNs yields an array.
  const cn: unknown = cert.subject?.CN;
  if (Array.isArray(cn)) return typeof cn[0] === 'string' ? cn[0] : null;
  return typeof cn === 'string' ? cn : null;
}

/**
 * Who ended a failed handshake: the peer (reset, close, alert), or it spoke something else, or
 * this machine could not go on (`local`).
 */
export type TlsFailure = 'peer-abort' | 'not-tls' | 'timeout' | 'local';

/**
 * A handshake that a TLS server answered but this machine's TLS client gave up on by its own
 * limits: OpenSSL reads at most 100 KiB of certificate chain (SSL_CTX_set_max_cert_list), and
 * Node offers no way to raise it. A server that sends more is not a block and not proof of
 * SMTP either (docs/reference.md, "Results and reasons"), as are local resource failures
 * (util/errno.ts).
 */
const CERT_CHAIN_TOO_LONG = 'ERR_SSL_EXCESSIVE_MESSAGE_SIZE';

/** OpenSSL's words for "the peer did not speak TLS at all". */
const NOT_TLS_CODES = new Set([
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'ERR_SSL_PACKET_LENGTH_TOO_LONG',
  'ERR_SSL_UNKNOWN_PROTOCOL',
  'ERR_SSL_HTTP_REQUEST',
  'ERR_SSL_RECORD_LAYER_FAILURE',
  'ERR_SSL_UNEXPECTED_RECORD',
]);

/** Sorts a TLS handshake error by who ended it, from Node's/OpenSSL's error code. Pure. */
export function tlsFailureOf(code: string | undefined): TlsFailure {
  if (code === undefined) return 'peer-abort';
  if (code === CERT_CHAIN_TOO_LONG || LOCAL_ERRNO_CODES.has(code)) return 'local';
  if (NOT_TLS_CODES.has(code)) return 'not-tls';
  // Alerts sent by the peer (handshake failure, protocol version...) and resets mean the peer
  // ended the handshake: an active no.
  if (/ALERT/.test(code) || code === 'ECONNRESET' || code === 'EPIPE') return 'peer-abort';
  if (code.startsWith('ERR_SSL_')) return 'not-tls';
  return 'peer-abort';
}
