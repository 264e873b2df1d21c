// One attempt on the wire: connect to address:port, (on 465) shake hands in TLS, read the
// greeting, then leave politely. Returns facts — never a verdict (classify.ts decides).
//
// Connect policy (why a lossy path does not read as "filtered", and a dropped port still does
// within the connect timeout): Linux retransmits a lost SYN only after 1 s, then 3 s, 7 s. One
// lost SYN or SYN-ACK (36% of tries at 20% loss each way) would cost a plain connect() most of
// its budget. So we stagger several independent SYNs (every SYN_STAGGER_MS, each with its own
// kernel retransmit 1 s later) and take the first definitive answer: a connection, a reset or
// an ICMP error. Only when none of them hears anything before the connect timeout is the
// attempt filtered. At the default 2.5 s that is 6 sockets × 2 SYN rounds: the chance that 20%
// loss hides a listening port is about 0.36^12 ≈ 5e-6 per attempt. On a healthy path the
// first SYN answers within one round trip and the others are never sent.

import net from 'node:net';
import { performance } from 'node:perf_hooks';
import tls from 'node:tls';
import type { DialOutcome } from './classify.js';
import { tlsFailureOf } from './classify.js';
import { ehloKeywords, firstLine, parseReply, type SmtpReply } from './smtp/reply-parser.js';
import type { Family, TlsFacts } from './types.js';

export const SYN_STAGGER_MS = 300;
/** The kernel's first SYN retransmission comes 1 s after the SYN (TCP_TIMEOUT_INIT). */
const SYN_RETRY_MS = 1_000;
const MAX_PARALLEL_SYNS = 6;
/** After the verdict, how long the polite part (EHLO/STARTTLS/QUIT) may take at most. */
const GOODBYE_TIMEOUT_MS = 3_000;
const MAX_GREETING_CHARS = 512;

export interface DialRequest {
  address: string;
  family: Family;
  port: number;
  /** Host name for TLS SNI and certificate checks; undefined when probing a bare address. */
  servername: string | undefined;
  /** Port 465: TLS from the first byte. */
  implicitTls: boolean;
  /** After the greeting: EHLO, and STARTTLS if offered, to record the TLS facts. */
  inspectStartTls: boolean;
  ehloName: string;
  connectTimeoutMs: number;
  greetingTimeoutMs: number;
  signal?: AbortSignal | undefined;
}

export interface DialFacts {
  outcome: DialOutcome;
  /** From the first SYN to the verdict (greeting complete, error or timeout). */
  durationMs: number;
  greeting: string | null;
  tls: TlsFacts | null;
  /** Whether EHLO advertised STARTTLS; undefined when not inspected. */
  starttls: boolean | undefined;
  errorCode: string | undefined;
  /** How many staggered SYN sockets were opened (1 on a healthy path). */
  connectTries: number;
}

export type Dial = (request: DialRequest) => Promise<DialFacts>;

export const dialSmtp: Dial = async (request) => {
  const started = performance.now();
  const elapsed = (): number => Math.round(performance.now() - started);
  const base = { greeting: null, tls: null, starttls: undefined, errorCode: undefined };

  const connected = await connectStaggered(request);
  if (connected.kind === 'timeout') {
    return {
      ...base,
      outcome: { kind: 'connect-timeout' },
      durationMs: elapsed(),
      connectTries: connected.tries,
    };
  }
  if (connected.kind === 'error') {
    return {
      ...base,
      outcome: { kind: 'connect-error', code: connected.code },
      errorCode: connected.code,
      durationMs: elapsed(),
      connectTries: connected.tries,
    };
  }
  const connectTries = connected.tries;
  let socket: net.Socket | tls.TLSSocket = connected.socket;
  const greetingDeadline = performance.now() + request.greetingTimeoutMs;
  try {
    let tlsFacts: TlsFacts | null = null;
    if (request.implicitTls) {
      const secured = await startTls(socket, request, greetingDeadline - performance.now());
      if (secured.kind === 'failed') {
        return {
          ...base,
          outcome: { kind: 'tls-failed', failure: secured.failure, code: secured.code },
          errorCode: secured.code,
          durationMs: elapsed(),
          connectTries,
        };
      }
      socket = secured.socket;
      tlsFacts = tlsFactsOf(secured.socket);
    }
    const reader = new ReplyReader(socket);
    const greeting = await reader.next(greetingDeadline - performance.now(), request.signal);
    const durationMs = elapsed();
    if (greeting.kind !== 'reply') {
      reader.detach();
      const outcome: DialOutcome =
        greeting.kind === 'timeout'
          ? { kind: 'greeting-timeout' }
          : greeting.kind === 'not-smtp'
            ? { kind: 'not-smtp' }
            : { kind: 'closed', code: greeting.code };
      return {
        ...base,
        tls: tlsFacts,
        outcome,
        durationMs,
        errorCode: greeting.code,
        connectTries,
      };
    }
    const facts: DialFacts = {
      ...base,
      outcome: { kind: 'greeting', code: greeting.reply.code },
      greeting: firstLine(greeting.reply).slice(0, MAX_GREETING_CHARS),
      tls: tlsFacts,
      durationMs,
      connectTries,
    };
    // The verdict stands; what follows is courtesy and TLS inspection, bounded separately.
    const goodbye = await sayGoodbye(reader, request, greeting.reply.code === 220);
    if (goodbye.tls) facts.tls = goodbye.tls;
    facts.starttls = goodbye.starttls;
    if (goodbye.socket) socket = goodbye.socket;
    return facts;
  } finally {
    socket.destroy();
    connected.socket.destroy();
  }
};

type Connected =
  | { kind: 'connected'; socket: net.Socket; tries: number }
  | { kind: 'error'; code: string; tries: number }
  | { kind: 'timeout'; tries: number };

/** Staggered SYNs; the first definitive answer wins and the other sockets are dropped. */
function connectStaggered(request: DialRequest): Promise<Connected> {
  const { address, port, family, connectTimeoutMs, signal } = request;
  const offsets = synOffsets(connectTimeoutMs);
  return new Promise((resolve, reject) => {
    const sockets: net.Socket[] = [];
    const timers: NodeJS.Timeout[] = [];
    let settled = false;
    const finish = (result: Connected | Error, winner?: net.Socket): void => {
      if (settled) return;
      settled = true;
      for (const timer of timers) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      for (const socket of sockets) if (socket !== winner) socket.destroy();
      if (result instanceof Error) reject(result);
      else resolve(result);
    };
    const onAbort = (): void => finish(abortError(signal));
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });

    const open = (): void => {
      if (settled) return;
      const socket = net.connect({ host: address, port, family });
      sockets.push(socket);
      socket.once('connect', () => {
        socket.removeAllListeners('error');
        socket.on('error', () => undefined); // later errors are read by the greeting reader
        finish({ kind: 'connected', socket, tries: sockets.length }, socket);
      });
      socket.once('error', (error: NodeJS.ErrnoException) => {
        finish({ kind: 'error', code: error.code ?? 'EUNKNOWN', tries: sockets.length });
      });
    };
    for (const offset of offsets) {
      timers.push(setTimeout(open, offset));
    }
    timers.push(
      setTimeout(() => finish({ kind: 'timeout', tries: sockets.length }), connectTimeoutMs),
    );
  });
}

/** When the staggered SYN sockets start, all early enough for one kernel retransmit. */
export function synOffsets(connectTimeoutMs: number): number[] {
  const last = connectTimeoutMs - SYN_RETRY_MS;
  const step = Math.max(SYN_STAGGER_MS, Math.floor(last / (MAX_PARALLEL_SYNS - 1)));
  const offsets = [0];
  for (let t = step; t <= last && offsets.length < MAX_PARALLEL_SYNS; t += step) offsets.push(t);
  return offsets;
}

type Secured =
  | { kind: 'secured'; socket: tls.TLSSocket }
  | {
      kind: 'failed';
      failure: 'peer-abort' | 'not-tls' | 'timeout' | 'local';
      code: string | undefined;
    };

/**
 * TLS over an open socket without verifying the certificate: a bad certificate does not change
 * whether SMTP gets through; its facts are reported beside the result.
 */
function startTls(socket: net.Socket, request: DialRequest, timeoutMs: number): Promise<Secured> {
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

function tlsFactsOf(socket: tls.TLSSocket): TlsFacts {
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

type ReplyEvent =
  | { kind: 'reply'; reply: SmtpReply; code?: undefined }
  | { kind: 'not-smtp'; code?: undefined }
  | { kind: 'closed'; code: string | undefined }
  | { kind: 'timeout'; code?: undefined };

/** Reads one SMTP reply at a time from a socket, within a deadline, buffering at most 4 KiB. */
class ReplyReader {
  private buffer = '';
  private ended: { code: string | undefined } | undefined;
  private wake: (() => void) | undefined;
  private readonly onData = (chunk: Buffer): void => {
    this.buffer += chunk.toString('latin1');
    this.wake?.();
  };
  private readonly onEnd = (): void => {
    this.ended ??= { code: undefined };
    this.wake?.();
  };
  private readonly onError = (error: NodeJS.ErrnoException): void => {
    this.ended ??= { code: error.code };
    this.wake?.();
  };

  constructor(readonly socket: net.Socket) {
    socket.on('data', this.onData);
    socket.on('end', this.onEnd);
    socket.on('close', this.onEnd);
    socket.on('error', this.onError);
  }

  detach(): void {
    this.socket.off('data', this.onData);
    this.socket.off('end', this.onEnd);
    this.socket.off('close', this.onEnd);
    this.socket.off('error', this.onError);
  }

  async next(timeoutMs: number, signal: AbortSignal | undefined): Promise<ReplyEvent> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const state = parseReply(this.buffer);
      if (state.kind === 'reply') {
        this.buffer = state.rest;
        return { kind: 'reply', reply: state.reply };
      }
      if (state.kind === 'not-smtp') return { kind: 'not-smtp' };
      if (this.ended) return { kind: 'closed', code: this.ended.code };
      if (signal?.aborted) throw abortError(signal);
      const left = deadline - performance.now();
      if (left <= 0) return { kind: 'timeout' };
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', done);
          this.wake = undefined;
          resolve();
        };
        const timer = setTimeout(done, left);
        signal?.addEventListener('abort', done, { once: true });
        this.wake = done;
      });
    }
  }

  send(line: string): void {
    if (!this.socket.destroyed && this.socket.writable) this.socket.write(`${line}\r\n`);
  }
}

interface Goodbye {
  tls?: TlsFacts;
  starttls: boolean | undefined;
  socket?: tls.TLSSocket;
}

/**
 * QUIT after the greeting (never MAIL FROM/RCPT TO). When asked to inspect a plain port:
 * EHLO, and if STARTTLS is offered, the upgrade, so the TLS facts can be reported; then QUIT.
 */
async function sayGoodbye(
  reader: ReplyReader,
  request: DialRequest,
  welcomed: boolean,
): Promise<Goodbye> {
  const deadline = performance.now() + Math.min(GOODBYE_TIMEOUT_MS, request.greetingTimeoutMs);
  const left = (): number => deadline - performance.now();
  const quit = async (r: ReplyReader): Promise<void> => {
    r.send('QUIT');
    await r.next(Math.min(left(), 1_000), request.signal).catch(() => undefined);
    r.detach();
    r.socket.end();
  };
  if (!welcomed || !request.inspectStartTls || request.implicitTls) {
    await quit(reader);
    return { starttls: undefined };
  }
  reader.send(`EHLO ${request.ehloName}`);
  const ehlo = await reader.next(left(), request.signal);
  if (ehlo.kind !== 'reply' || ehlo.reply.code !== 250) {
    await quit(reader);
    return { starttls: undefined };
  }
  const starttls = ehloKeywords(ehlo.reply).includes('STARTTLS');
  if (!starttls) {
    await quit(reader);
    return { starttls };
  }
  reader.send('STARTTLS');
  const ready = await reader.next(left(), request.signal);
  if (ready.kind !== 'reply' || ready.reply.code !== 220) {
    await quit(reader);
    return { starttls };
  }
  reader.detach();
  const secured = await startTls(reader.socket, request, left());
  if (secured.kind === 'failed') return { starttls };
  const tlsFacts = tlsFactsOf(secured.socket);
  await quit(new ReplyReader(secured.socket));
  return { starttls, tls: tlsFacts, socket: secured.socket };
}

function abortError(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  return reason instanceof Error ? reason : new DOMException('The probe was aborted', 'AbortError');
}
