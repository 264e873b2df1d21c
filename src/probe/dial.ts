// One attempt on the wire: connect (probe/connect.ts), on an implicit-TLS port shake hands,
// read the greeting, then inspect STARTTLS and leave with QUIT (smtp/inspect-and-quit.ts).
// Returns facts — never a verdict (probe/classify.ts decides).
//
// This module runs the greeting race. When our last handshake ACK is lost, we think we are
// connected but the server still waits for it and greets only after its own SYN-ACK
// retransmits (1, 3, 7 s later). A plain SMTP client must not speak first, so nothing of ours
// would repair that in time. If a connection has heard nothing at all GREETING_BACKUP_AFTER_MS
// after connecting, we race a fresh connection beside it; a backup can only prove that the
// server greets (220), never block: a 421 "too many connections" to the backup does not count
// against the port.

import type net from 'node:net';
import { performance } from 'node:perf_hooks';
import type tls from 'node:tls';
import { firstLine, type SmtpReply } from '../smtp/reply-parser.js';
import { ReplyReader } from '../smtp/reply-reader.js';
import {
  awaitQuitReply,
  inspectAndQuit,
  QUIT_REPLY_MS,
  type Inspection,
} from '../smtp/inspect-and-quit.js';
import { startTls, tlsFactsOf, type TlsFailure } from '../smtp/tls.js';
import type { Family, TlsFacts } from '../types.js';
import { printable } from '../util/printable.js';
import type { DialOutcome } from './classify-attempt.js';
import { connectStaggered, dropUnused, staggerWidth } from './connect.js';
import type { SocketLease } from './sockets.js';
import { assertNever } from '../util/assert-never.js';

/** Why backups still connecting are dropped (one object: no stack captured per attempt). */
const DECIDED = new Error('the greeting is decided');

/** After connecting, silence this long (in ms) starts a backup connection (plain ports only). */
export const GREETING_BACKUP_AFTER_MS = [1_000, 3_000] as const;
const MAX_GREETING_CHARS = 512;

export interface DialRequest {
  address: string;
  family: Family;
  port: number;
  /** Host name for TLS SNI and certificate checks; undefined when probing a bare address. */
  servername: string | undefined;
  /** TLS from the first byte (port 465). */
  implicitTls: boolean;
  /** After the greeting: EHLO, and STARTTLS if offered, to record the TLS facts (port 587). */
  inspectStartTls: boolean;
  ehloName: string;
  connectTimeoutMs: number;
  greetingTimeoutMs: number;
  signal?: AbortSignal | undefined;
  /**
   * The attempt's share of the pass's socket budget: the connect opens at most that many
   * staggered sockets, a backup connection only what it can add. Unbounded when absent.
   */
  sockets?: SocketLease | undefined;
}

export interface DialFacts {
  outcome: DialOutcome;
  /** From the first SYN to the verdict (greeting complete, error or timeout). */
  durationMs: number;
  greeting: string | null;
  tls: TlsFacts | null;
  /** Whether EHLO advertised STARTTLS; undefined when not inspected. */
  starttls: boolean | undefined;
  /** The first line of the EHLO reply, when EHLO was sent (it often names our address). */
  ehlo: string | undefined;
  /** Our source address on a connection that reached the server (socket.localAddress). */
  localAddress: string | undefined;
  errorCode: string | undefined;
  /** How many staggered SYN sockets the first connection took (1 on a healthy path). */
  connectTries: number;
  /** How many connections were opened in all (more than 1 only after a silent one). */
  connections: number;
}

export type Dial = (request: DialRequest) => Promise<DialFacts>;

export const dialSmtp: Dial = async (request) => {
  const started = performance.now();
  const lease = request.sockets;
  const connected = await connectStaggered({ ...request, maxSockets: lease?.count });
  // The losing SYN sockets are closed: only the connection itself is held from here on.
  lease?.release(lease.count - (connected.kind === 'connected' ? 1 : 0));
  if (connected.kind === 'timeout') {
    return dialFacts(started, {
      outcome: { kind: 'connect-timeout' },
      connectTries: connected.tries,
    });
  }
  if (connected.kind === 'error') {
    return dialFacts(started, {
      outcome: { kind: 'connect-error', code: connected.code },
      errorCode: connected.code,
      connectTries: connected.tries,
    });
  }
  const race = await raceGreeting(connected.socket, request);
  let handedOver: Leg | undefined;
  try {
    const { winner, outcome } = race;
    const result = dialFacts(started, {
      outcome: dialOutcomeOf(outcome),
      tls: winner.tls,
      errorCode:
        outcome.kind === 'tls-failed' || outcome.kind === 'closed' ? outcome.code : undefined,
      connectTries: connected.tries,
      connections: race.legs.length,
      localAddress: winner.raw.localAddress,
    });
    if (outcome.kind !== 'greeting') return result;
    // What a server says is printed by people's terminals: its control characters escaped.
    result.greeting = printable(firstLine(outcome.reply), MAX_GREETING_CHARS);
    // The verdict stands; what follows is courtesy and TLS inspection, bounded apart.
    if (winner.reader) {
      const welcomed = outcome.reply.code === 220;
      const inspection = await inspectWinner(winner, winner.reader, welcomed, request, () => {
        handedOver = winner;
      });
      if (inspection.tls) result.tls = inspection.tls;
      result.starttls = inspection.starttls;
      result.ehlo = inspection.ehlo;
    }
    return result;
  } finally {
    closeLegs(race.legs, handedOver);
  }
};

/** The facts of an attempt, with the time since `started` and every field not given empty. */
function dialFacts(
  started: number,
  fields: Partial<DialFacts> & Pick<DialFacts, 'outcome' | 'connectTries'>,
): DialFacts {
  return {
    greeting: null,
    tls: null,
    starttls: undefined,
    ehlo: undefined,
    localAddress: undefined,
    errorCode: undefined,
    connections: 1,
    durationMs: Math.round(performance.now() - started),
    ...fields,
  };
}

/**
 * EHLO/STARTTLS when asked, then QUIT on the winning connection. After QUIT the connection is
 * the QUIT wait's, with one socket of the lease, until the server answers or QUIT_REPLY_MS has
 * passed (`onHandOver` says so): the attempt itself is over.
 */
function inspectWinner(
  winner: Leg,
  reader: ReplyReader,
  welcomed: boolean,
  request: DialRequest,
  onHandOver: () => void,
): Promise<Inspection> {
  const lease = request.sockets;
  const leave = (socket: net.Socket): void => {
    onHandOver();
    const sockets = socket === winner.raw ? [socket] : [socket, winner.raw];
    awaitQuitReply(sockets, QUIT_REPLY_MS, lease?.split() ?? (() => undefined));
  };
  const inspectStartTls = request.inspectStartTls && !request.implicitTls;
  return inspectAndQuit(reader, { ...request, inspectStartTls }, welcomed, leave);
}

/** Closes every connection of a race but the one handed over to the QUIT wait. */
function closeLegs(legs: readonly Leg[], handedOver: Leg | undefined): void {
  for (const leg of legs) {
    leg.reader?.detach();
    if (leg === handedOver) continue;
    leg.socket.destroy();
    leg.raw.destroy();
  }
}

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
    default:
      return assertNever(outcome);
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
  // Once the greeting is decided, a backup still connecting is dropped before its handshake
  // completes: a server never sees a new connection from an attempt that has its answer.
  const decided = new AbortController();
  return new Promise<Race>((resolve, reject) => {
    const timers: NodeJS.Timeout[] = [];
    /** True for the first caller only: the race is decided once. */
    const decide = (): boolean => {
      if (decided.signal.aborted) return false;
      for (const timer of timers) clearTimeout(timer);
      decided.abort(DECIDED);
      return true;
    };
    const finish = (winner: Leg, outcome: LegOutcome): void => {
      if (!decide()) return;
      for (const leg of legs) if (leg !== winner) dropUnused(leg.raw);
      resolve({ winner, outcome, legs });
    };
    const fail = (error: unknown): void => {
      if (!decide()) return;
      for (const leg of legs) leg.raw.destroy();
      reject(error instanceof Error ? error : new Error(String(error)));
    };
    const original = startLeg(first, request, deadline, legs);
    original.then(({ leg, outcome }) => finish(leg, outcome), fail);

    if (request.implicitTls) return; // the ClientHello carries our ACK: no lost-ACK stall
    const startBackup = (): void => {
      if (decided.signal.aborted || legs[0]?.reader?.heardAnything) return;
      openBackup(request, deadline, decided.signal, legs)
        .then((greeted) => greeted && finish(greeted.leg, greeted.outcome))
        .catch(() => undefined); // a backup that fails proves nothing
    };
    for (const after of GREETING_BACKUP_AFTER_MS) {
      if (connectedAt + after < deadline) timers.push(setTimeout(startBackup, after));
    }
  });
}

/**
 * Opens a backup connection beside a silent one and reads its greeting; resolves with it only
 * when it is a 220 (a backup can prove that the server greets, never block).
 */
async function openBackup(
  request: DialRequest,
  deadline: number,
  decided: AbortSignal,
  legs: Leg[],
): Promise<{ leg: Leg; outcome: LegOutcome } | undefined> {
  const remaining = deadline - performance.now();
  const connectTimeoutMs = Math.min(request.connectTimeoutMs, remaining);
  // Only the sockets the budget has free now: a backup never waits for them.
  const lease = request.sockets;
  const width = staggerWidth(connectTimeoutMs);
  const granted = lease ? lease.extend(width) : width;
  if (granted === 0) return undefined;
  const signal = request.signal ? AbortSignal.any([request.signal, decided]) : decided;
  const backup = await connectStaggered({
    ...request,
    connectTimeoutMs,
    maxSockets: granted,
    signal,
  }).catch(() => undefined);
  lease?.release(granted - (backup?.kind === 'connected' ? 1 : 0));
  if (backup?.kind !== 'connected') return undefined;
  if (decided.aborted) {
    dropUnused(backup.socket);
    return undefined;
  }
  const started = await startLeg(backup.socket, request, deadline, legs);
  const { outcome } = started;
  return outcome.kind === 'greeting' && outcome.reply.code === 220 ? started : undefined;
}

/** Runs one connection up to its greeting: TLS first on an implicit-TLS port, then one reply. */
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
