// Verifies a configured authenticated relay end to end (connect, TLS, AUTH) with nodemailer:
// the I/O side. What a failure means is decided by relay/classify.ts, and the password is
// handled by relay/secret.ts.

import { hostname } from 'node:os';
import { isIP, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { SMTPTransportOptions } from 'nodemailer';
import type { RelayReport, RelaySpec, RelayStatus } from '../types.js';
import { untilAborted } from '../util/abort.js';
import { printable } from '../util/printable.js';
import { classifyRelayError } from './classify.js';
import { readRelaySecret, redact, secretProblem } from './secret.js';

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
  // Server text: the secret redacted in every form, control characters escaped.
  const scrub = (text: string): string => redact(printable(text), password);

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
  // Loaded at the first relay: a daemon without relays never holds nodemailer in memory.
  const { createTransport } = await import('nodemailer');

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

export function relayTransportOptions(
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
