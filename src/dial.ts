// One attempt on the wire: connect to address:port, (on 465) shake hands in TLS, read the
// greeting, then leave politely. Returns facts — never a verdict (classify.ts decides).
//
// Why a lossy path does not read as "filtered", while a dropped port still does quickly:
//
// Connect. Linux retransmits a lost SYN only after 1 s, then 3 s, 7 s: one lost SYN or SYN-ACK
// (36% of tries at 20% loss each way) would cost a plain connect() most of its budget. So we
// stagger several independent SYNs (every SYN_STAGGER_MS, each with its own kernel retransmit
// 1 s later) and take the first definitive answer: a connection, a reset or an ICMP error; the
// other sockets are closed at once, before their handshakes complete, so the server sees no
// extra connection. Only when none hears anything before the connect timeout is the attempt
// filtered. At the default 1.5 s that is 6 sockets × 2 SYN rounds: the chance that 20% loss
// hides a listening port is about 0.36^12 ≈ 5e-6 per attempt.
//
// Greeting. When our last handshake ACK is lost, we think we are connected but the server
// still waits for it and greets only after its own SYN-ACK retransmits (1, 3, 7 s later). A
// plain SMTP client must not speak first, so nothing of ours would repair that in time. If a
// connection has heard nothing at all GREETING_BACKUP_AFTER_MS after connecting, we race a
// fresh connection beside it; a backup can only prove that the server greets (220), never
// block: a 421 "too many connections" to the backup does not count against the port.

import net from 'node:net';
import { performance } from 'node:perf_hooks';
import tls from 'node:tls';
import type { DialOutcome, TlsFailure } from './classify.js';
import { tlsFailureOf } from './classify.js';
import { ehloKeywords, firstLine, parseReply, type SmtpReply } from './smtp/reply-parser.js';
import type { Family, TlsFacts } from './types.js';

export const SYN_STAGGER_MS = 100;
/** The kernel's first SYN retransmission comes 1 s after the SYN (TCP_TIMEOUT_INIT). */
const SYN_RETRY_MS = 1_000;
const MAX_PARALLEL_SYNS = 6;
/** After connecting, silence this long (in ms) starts a backup connection (plain ports only). */
export const GREETING_BACKUP_AFTER_MS = [1_000, 3_000] as const;
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
  /** How many staggered SYN sockets the first connection took (1 on a healthy path). */
  connectTries: number;
  /** How many connections were opened in all (more than 1 only after a silent one). */
  connections: number;
}

export type Dial = (request: DialRequest) => Promise<DialFacts>;

export const dialSmtp: Dial = async (request) => {
  const started = performance.now();
  const elapsed = (): number => Math.round(performance.now() - started);
  const base = {
    greeting: null,
    tls: null,
    starttls: undefined,
    errorCode: undefined,
    connections: 1,
  };

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
  const race = await raceGreeting(connected.socket, request);
  try {
    const { winner, outcome } = race;
    const facts: DialFacts = {
      ...base,
      outcome: dialOutcomeOf(outcome),
      tls: winner.tls,
      errorCode:
        outcome.kind === 'tls-failed' || outcome.kind === 'closed' ? outcome.code : undefined,
      durationMs: elapsed(),
      connectTries: connected.tries,
      connections: race.legs.length,
    };
    if (outcome.kind !== 'greeting') return facts;
    facts.greeting = firstLine(outcome.reply).slice(0, MAX_GREETING_CHARS);
    // The verdict stands; what follows is courtesy and TLS inspection, bounded apart.
    if (winner.reader) {
      const goodbye = await sayGoodbye(winner.reader, request, outcome.reply.code === 220);
      if (goodbye.tls) facts.tls = goodbye.tls;
      facts.starttls = goodbye.starttls;
    }
    return facts;
  } finally {
    for (const leg of race.legs) {
      leg.reader?.detach();
      leg.socket.destroy();
      leg.raw.destroy();
    }
  }
};

/** What one connection saw after connecting, up to its greeting (or failure). */
type LegOutcome =
  | { kind: 'greeting'; reply: SmtpReply }
  | { kind: 'tls-failed'; failure: TlsFailure; code: string | undefined }
  | { kind: 'not-smtp' }
  | { kind: 'closed'; code: string | undefined }
  | { kind: 'timeout' };

/** What a connection's greeting phase says, in the classifier's terms. Pure. */
function dialOutcomeOf(outcome: LegOutcome): DialOutcome {
  switch (outcome.kind) {
    case 'greeting':
      return { kind: 'greeting', code: outcome.reply.code };
    case 'timeout':
      return { kind: 'greeting-timeout' };
    case 'tls-failed':
    case 'not-smtp':
    case 'closed':
      return outcome;
    default: {
      const never: never = outcome;
      return never;
    }
  }
}

/** One connection racing for the greeting. */
interface Leg {
  raw: net.Socket;
  socket: net.Socket | tls.TLSSocket;
  reader: ReplyReader | undefined;
  tls: TlsFacts | null;
}

interface Race {
  winner: Leg;
  outcome: LegOutcome;
  /** Every connection opened, to be closed by the caller. */
  legs: Leg[];
}

/**
 * Reads the greeting on the connected socket; on a plain port that stays silent, races backup
 * connections beside it (see the top of this file). The original connection's outcome always
 * counts; a backup's only when it is a 220 greeting.
 */
function raceGreeting(first: net.Socket, request: DialRequest): Promise<Race> {
  const connectedAt = performance.now();
  const deadline = connectedAt + request.greetingTimeoutMs;
  const legs: Leg[] = [];
  return new Promise<Race>((resolve, reject) => {
    const timers: NodeJS.Timeout[] = [];
    let done = false;
    const finish = (winner: Leg, outcome: LegOutcome): void => {
      if (done) return;
      done = true;
      for (const timer of timers) clearTimeout(timer);
      resolve({ winner, outcome, legs });
    };
    const fail = (error: unknown): void => {
      if (done) return;
      done = true;
      for (const timer of timers) clearTimeout(timer);
      for (const leg of legs) leg.raw.destroy();
      reject(error instanceof Error ? error : new Error(String(error)));
    };
    const original = startLeg(first, request, deadline, legs);
    original.then(({ leg, outcome }) => finish(leg, outcome), fail);

    const openBackup = async (): Promise<void> => {
      const remaining = deadline - performance.now();
      const connectTimeoutMs = Math.min(request.connectTimeoutMs, remaining);
      const backup = await connectStaggered({ ...request, connectTimeoutMs });
      if (backup.kind !== 'connected') return;
      if (done) {
        backup.socket.destroy();
        return;
      }
      const { leg, outcome } = await startLeg(backup.socket, request, deadline, legs);
      if (outcome.kind === 'greeting' && outcome.reply.code === 220) finish(leg, outcome);
    };
    if (request.implicitTls) return; // the ClientHello carries our ACK: no lost-ACK stall
    for (const after of GREETING_BACKUP_AFTER_MS) {
      if (connectedAt + after >= deadline) continue;
      const timer = setTimeout(() => {
        if (done || legs[0]?.reader?.heardAnything) return;
        openBackup().catch(() => undefined); // a backup that fails proves nothing
      }, after);
      timers.push(timer);
    }
  });
}

/** Runs one connection up to its greeting: TLS first on 465, then one SMTP reply. */
async function startLeg(
  raw: net.Socket,
  request: DialRequest,
  deadline: number,
  legs: Leg[],
): Promise<{ leg: Leg; outcome: LegOutcome }> {
  const leg: Leg = { raw, socket: raw, reader: undefined, tls: null };
  legs.push(leg);
  if (request.implicitTls) {
    const secured = await startTls(raw, request, deadline - performance.now());
    if (secured.kind === 'failed') {
      return {
        leg,
        outcome:
          secured.failure === 'timeout'
            ? { kind: 'timeout' }
            : { kind: 'tls-failed', failure: secured.failure, code: secured.code },
      };
    }
    leg.socket = secured.socket;
    leg.tls = tlsFactsOf(secured.socket);
  }
  leg.reader = new ReplyReader(leg.socket);
  const reply = await leg.reader.next(deadline - performance.now(), request.signal);
  if (reply.kind === 'reply') return { leg, outcome: { kind: 'greeting', reply: reply.reply } };
  return { leg, outcome: reply };
}

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

  /** Whether the peer sent anything, or closed: the handshake has certainly completed. */
  get heardAnything(): boolean {
    return this.buffer.length > 0 || this.ended !== undefined;
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
  return { starttls, tls: tlsFacts };
}

function abortError(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  return reason instanceof Error ? reason : new DOMException('The probe was aborted', 'AbortError');
}
