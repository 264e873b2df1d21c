// The TCP connect of an attempt, made robust against loss without slowing a drop's verdict.
//
// Linux retransmits a lost SYN only after 1 s, then 3 s, 7 s: one lost SYN or SYN-ACK (36% of
// tries at 20% loss each way) would cost a plain connect() most of its budget. So several
// independent SYNs are staggered (every SYN_STAGGER_MS, each with its own kernel retransmit
// 1 s later) and the first definitive answer wins: a connection, a reset or an ICMP error; the
// other sockets are closed at once, abortively (dropUnused), so the server never gets to accept
// one of them after the answer is known. Only when none hears anything before the connect timeout is the attempt
// filtered. At the default 1.5 s that is 6 sockets × 2 SYN rounds: the chance that 20% loss
// hides a listening port is about 0.36^12 ≈ 5e-6 per attempt.

import net from 'node:net';
import { abortError } from '../util/abort.js';
import type { Family } from '../types.js';

export const SYN_STAGGER_MS = 100;
/** The kernel's first SYN retransmission comes 1 s after the SYN (TCP_TIMEOUT_INIT). */
const SYN_RETRY_MS = 1_000;
const MAX_PARALLEL_SYNS = 6;

export interface ConnectRequest {
  address: string;
  family: Family;
  port: number;
  connectTimeoutMs: number;
  /** At most this many staggered sockets (the attempt's share of the pass's socket budget). */
  maxSockets?: number | undefined;
  signal?: AbortSignal | undefined;
}

export type Connected =
  | { kind: 'connected'; socket: net.Socket; tries: number }
  | { kind: 'error'; code: string; tries: number }
  | { kind: 'timeout'; tries: number };

/** Staggered SYNs; the first definitive answer wins and the other sockets are dropped. */
export function connectStaggered(request: ConnectRequest): Promise<Connected> {
  const { address, port, family, connectTimeoutMs, signal } = request;
  const offsets = synOffsets(connectTimeoutMs).slice(
    0,
    Math.max(1, request.maxSockets ?? Infinity),
  );
  return new Promise((resolve, reject) => {
    const sockets: net.Socket[] = [];
    const timers: NodeJS.Timeout[] = [];
    let settled = false;
    const finish = (result: Connected | Error, winner?: net.Socket): void => {
      if (settled) return;
      settled = true;
      for (const timer of timers) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      for (const socket of sockets) if (socket !== winner) dropUnused(socket);
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

/**
 * Closes a connection of an attempt that lost a race (a staggered SYN socket, a backup, or the
 * original beside a backup that won). Its handshake may be complete on our side only: if our
 * final ACK was lost, the server still waits for it, and a graceful close's FIN (retransmitted
 * 200 ms later) would complete the handshake there after the answer is known — a second
 * connection from one attempt. An abortive close (SO_LINGER 0: a RST, which is never
 * retransmitted) leaves the server nothing to accept. Node's resetAndDestroy() first waits for
 * a pending connect, which may never come; its `resetAndClosing` flag (what resetAndDestroy
 * sets) resets at once. Where the flag is unknown, this is a plain destroy().
 */
export function dropUnused(socket: net.Socket): void {
  socket.on('error', () => undefined);
  (socket as net.Socket & { resetAndClosing?: boolean }).resetAndClosing = true;
  socket.destroy();
}

/** How many sockets a connect with this timeout opens at most: its share of the socket budget. */
export function staggerWidth(connectTimeoutMs: number): number {
  return synOffsets(connectTimeoutMs).length;
}

/** When the staggered SYN sockets start, all early enough for one kernel retransmit. Pure. */
export function synOffsets(connectTimeoutMs: number): number[] {
  const last = connectTimeoutMs - SYN_RETRY_MS;
  const step = Math.max(SYN_STAGGER_MS, Math.floor(last / (MAX_PARALLEL_SYNS - 1)));
  const offsets = [0];
  for (let t = step; t <= last && offsets.length < MAX_PARALLEL_SYNS; t += step) offsets.push(t);
  return offsets;
}
