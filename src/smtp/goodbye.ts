// What the probe says after the greeting: QUIT, and nothing that sends mail (never MAIL FROM
// or RCPT TO). On a port whose TLS is inspected: EHLO, and if STARTTLS is offered the upgrade,
// so the TLS facts can be reported; then QUIT. The verdict is already decided: these steps only
// add facts and courtesy, within a budget of their own.

import { performance } from 'node:perf_hooks';
import type { TlsFacts } from '../types.js';
import { ehloKeywords, firstLine } from './reply-parser.js';
import { ReplyReader } from './reply-reader.js';
import { startTls, tlsFactsOf } from './tls.js';

/** After the verdict, how long the polite part (EHLO/STARTTLS/QUIT) may take at most. */
export const GOODBYE_TIMEOUT_MS = 3_000;
/** How long to wait for the server's answer to QUIT. */
const QUIT_REPLY_MS = 1_000;

export interface GoodbyeRequest {
  /** EHLO, and STARTTLS if offered, before QUIT. */
  inspectStartTls: boolean;
  ehloName: string;
  servername: string | undefined;
  /** The greeting budget also bounds the goodbye. */
  greetingTimeoutMs: number;
  signal?: AbortSignal | undefined;
}

export interface Goodbye {
  tls?: TlsFacts;
  /** Whether EHLO advertised STARTTLS; undefined when not inspected. */
  starttls: boolean | undefined;
  /** The first line of the EHLO reply (it often names our address), when EHLO was sent. */
  ehlo?: string;
}

export async function sayGoodbye(
  reader: ReplyReader,
  request: GoodbyeRequest,
  welcomed: boolean,
): Promise<Goodbye> {
  const deadline = performance.now() + Math.min(GOODBYE_TIMEOUT_MS, request.greetingTimeoutMs);
  const left = (): number => deadline - performance.now();
  const quit = async (r: ReplyReader): Promise<void> => {
    r.send('QUIT');
    await r.next(Math.min(left(), QUIT_REPLY_MS), request.signal).catch(() => undefined);
    r.detach();
    r.socket.end();
  };
  if (!welcomed || !request.inspectStartTls) {
    await quit(reader);
    return { starttls: undefined };
  }
  reader.send(`EHLO ${request.ehloName}`);
  const ehlo = await reader.next(left(), request.signal);
  if (ehlo.kind !== 'reply' || ehlo.reply.code !== 250) {
    await quit(reader);
    return { starttls: undefined };
  }
  const ehloLine = firstLine(ehlo.reply);
  const starttls = ehloKeywords(ehlo.reply).includes('STARTTLS');
  if (!starttls) {
    await quit(reader);
    return { starttls, ehlo: ehloLine };
  }
  reader.send('STARTTLS');
  const ready = await reader.next(left(), request.signal);
  if (ready.kind !== 'reply' || ready.reply.code !== 220) {
    await quit(reader);
    return { starttls, ehlo: ehloLine };
  }
  reader.detach();
  const secured = await startTls(reader.socket, request, left());
  if (secured.kind === 'failed') return { starttls, ehlo: ehloLine };
  const tlsFacts = tlsFactsOf(secured.socket);
  await quit(new ReplyReader(secured.socket));
  return { starttls, tls: tlsFacts, ehlo: ehloLine };
}
