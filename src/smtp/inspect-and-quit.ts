// What the probe says after the greeting: QUIT, and nothing that sends mail (never MAIL FROM
// or RCPT TO). On a port whose TLS is inspected: EHLO, and if STARTTLS is offered the upgrade,
// so the TLS facts can be reported; then QUIT. The verdict is already decided: these steps only
// add facts and courtesy, within a budget of their own.
//
// The answer to QUIT adds no fact, so waiting for it is not part of the attempt: QUIT is sent
// and the connection handed to `leave`, which waits for the server's reply (or its close) for
// at most QUIT_REPLY_MS in the background and then hangs up. That wait never keeps the process
// alive: `probe --once` exits as soon as its report is out, whatever the servers do with QUIT.

import type net from 'node:net';
import { performance } from 'node:perf_hooks';
import type { TlsFacts } from '../types.js';
import { ehloKeywords, firstLine } from './reply-parser.js';
import { ReplyReader } from './reply-reader.js';
import { startTls, tlsFactsOf } from './tls.js';

/** After the verdict, how long the EHLO/STARTTLS inspection may take at most. */
export const INSPECTION_TIMEOUT_MS = 3_000;
/** How long the server may take to answer QUIT before the probe hangs up anyway. */
export const QUIT_REPLY_MS = 1_000;

export interface InspectionRequest {
  /** EHLO, and STARTTLS if offered, before QUIT. */
  inspectStartTls: boolean;
  ehloName: string;
  servername: string | undefined;
  /** The greeting budget also bounds the inspection. */
  greetingTimeoutMs: number;
  signal?: AbortSignal | undefined;
}

export interface Inspection {
  tls?: TlsFacts;
  /** Whether EHLO advertised STARTTLS; undefined when not inspected. */
  starttls: boolean | undefined;
  /** The first line of the EHLO reply (it often names our address), when EHLO was sent. */
  ehlo?: string;
}

/**
 * Inspects TLS when asked, then sends QUIT and hands the connection (the socket QUIT went out
 * on: the TLS one after STARTTLS) to `leave`, which owns it from then on.
 */
export async function inspectAndQuit(
  reader: ReplyReader,
  request: InspectionRequest,
  welcomed: boolean,
  leave: (socket: net.Socket) => void,
): Promise<Inspection> {
  const deadline = performance.now() + Math.min(INSPECTION_TIMEOUT_MS, request.greetingTimeoutMs);
  const left = (): number => deadline - performance.now();
  const quit = (r: ReplyReader): void => {
    r.send('QUIT');
    r.detach();
    leave(r.socket);
  };
  if (!welcomed || !request.inspectStartTls) {
    quit(reader);
    return { starttls: undefined };
  }
  reader.send(`EHLO ${request.ehloName}`);
  const ehlo = await reader.next(left(), request.signal);
  if (ehlo.kind !== 'reply' || ehlo.reply.code !== 250) {
    quit(reader);
    return { starttls: undefined };
  }
  const ehloLine = firstLine(ehlo.reply);
  const starttls = ehloKeywords(ehlo.reply).includes('STARTTLS');
  if (!starttls) {
    quit(reader);
    return { starttls, ehlo: ehloLine };
  }
  reader.send('STARTTLS');
  const ready = await reader.next(left(), request.signal);
  if (ready.kind !== 'reply' || ready.reply.code !== 220) {
    quit(reader);
    return { starttls, ehlo: ehloLine };
  }
  reader.detach();
  const secured = await startTls(reader.socket, request, left());
  if (secured.kind === 'failed') return { starttls, ehlo: ehloLine };
  const tlsFacts = tlsFactsOf(secured.socket);
  quit(new ReplyReader(secured.socket));
  return { starttls, tls: tlsFacts, ehlo: ehloLine };
}

/**
 * After QUIT: waits up to `budgetMs` for the server's reply line or its close, then closes the
 * connection (`sockets`: the one QUIT went out on and any it runs over) and calls `done`.
 * Neither the wait nor the sockets keep the process alive.
 */
export function awaitQuitReply(
  sockets: readonly net.Socket[],
  budgetMs: number,
  done: () => void,
): void {
  const [socket] = sockets;
  if (socket === undefined) return done();
  let finished = false;
  const finish = (): void => {
    if (finished) return;
    finished = true;
    clearTimeout(timer);
    for (const s of sockets) s.destroy();
    done();
  };
  const timer = setTimeout(finish, Math.max(0, budgetMs));
  timer.unref();
  for (const s of sockets) s.unref();
  if (socket.destroyed) return finish();
  let heard = '';
  socket.on('data', (chunk: Buffer) => {
    heard += chunk.toString('latin1');
    if (heard.includes('\n')) finish();
  });
  socket.on('error', () => undefined);
  socket.once('end', finish);
  socket.once('close', finish);
}
