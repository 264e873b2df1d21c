// Sends the canary's one message through its relay with nodemailer: the I/O side. The relay's
// connection, TLS and AUTH settings are the ones relay verification uses (relay/verify.ts), so a
// canary goes out exactly the way the verified relay was reached.

import { hostname } from 'node:os';
import { Socket } from 'node:net';
import { relayTransportOptions } from '../relay/verify.js';
import type { RelaySpec } from '../types.js';
import { untilAborted } from '../util/abort.js';
import { printable } from '../util/printable.js';
import type { SendFacts } from './decide.js';
import { CANARY_HEADER, type CanaryToken } from './token.js';
import type { CanarySpec } from './types.js';

export interface SendOptions {
  connectTimeoutMs: number;
  greetingTimeoutMs: number;
  /** The relay's password, already read (relay/secret.ts). */
  password: string | undefined;
  /** Trust anchors that replace the system's for the relay (a private CA, a test certificate). */
  ca?: string | Buffer;
  signal?: AbortSignal;
  now: () => number;
}

/** One message with the token; the relay's reply either way, never an exception. */
export async function sendCanary(
  spec: CanarySpec,
  relay: RelaySpec,
  token: CanaryToken,
  options: SendOptions,
): Promise<SendFacts> {
  const socket = new Socket();
  const onAbort = (): void => void socket.destroy();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    // Loaded at the first canary: a daemon without canaries never holds nodemailer in memory.
    const { createTransport } = await import('nodemailer');
    const transport = createTransport(
      relayTransportOptions(relay, options.password, options, socket),
    );
    const info = await untilAborted(
      transport.sendMail({
        from: spec.from,
        to: spec.to,
        subject: token.subject,
        headers: { [CANARY_HEADER]: token.header },
        text: [
          `A delivery canary from mxprobe on ${hostname()}, sent through relay ${relay.name}.`,
          'mxprobe deletes it once it has found it; nothing to do.',
          '',
        ].join('\n'),
      }),
      options.signal,
    );
    const acceptedAtMs = options.now();
    return { accepted: true, acceptedAtMs, reply: firstLine(String(info.response)) };
  } catch (error) {
    return { accepted: false, reply: refusal(error) };
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
}

/** The relay's own words when it answered, else what went wrong on the way. */
function refusal(error: unknown): string {
  const facts = error as { response?: unknown; message?: unknown; code?: unknown };
  if (typeof facts.response === 'string' && facts.response !== '') return firstLine(facts.response);
  const message = typeof facts.message === 'string' ? facts.message : String(error);
  return firstLine(typeof facts.code === 'string' ? `${facts.code}: ${message}` : message);
}

function firstLine(text: string): string {
  return printable(text.split(/\r?\n/, 1)[0] ?? '', 300);
}
