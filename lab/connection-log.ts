// What the lab's servers record about each connection they accept, and the check built on it:
// once an attempt's greeting is decided, no server may see another connection from it (a
// backup or a staggered SYN that completes its handshake after the answer is known).
//
// A client has decided when it speaks: it says EHLO or QUIT only after the greeting. On an
// implicit-TLS port the client speaks first (its TLS hello), so there the end of the TLS
// handshake marks it (the greeting follows at once). Events are JSON lines appended to one file.

import { closeSync, openSync, writeSync } from 'node:fs';

export interface ConnectionEvent {
  /** Milliseconds since the epoch. */
  t: number;
  /** `address:port` the server listens on. */
  listener: string;
  /** `address:port` of the client. */
  client: string;
  event: 'accept' | 'decided';
}

export type ConnectionLogger = (event: Omit<ConnectionEvent, 't'>) => void;

/** Appends events to `path` as they happen (synchronously: the lab's rates are small). */
export function openConnectionLog(path: string): { log: ConnectionLogger; close: () => void } {
  const fd = openSync(path, 'a');
  return {
    log: (event) => writeSync(fd, `${JSON.stringify({ t: Date.now(), ...event })}\n`),
    close: () => closeSync(fd),
  };
}

/** `address:port`, with IPv6 addresses bracketed. Pure. */
export function endpoint(address: string | undefined, port: number | undefined): string {
  const host = address?.includes(':') ? `[${address}]` : (address ?? '?');
  return `${host}:${port ?? '?'}`;
}

export function parseConnectionLog(text: string): ConnectionEvent[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as ConnectionEvent);
}

/**
 * Connections a listener accepted after a client had decided on it, one line each, for a
 * window in which each listener serves one attempt (one probe run). Only a connection accepted
 * within the window counts as deciding: the QUIT of a previous run's last connection, which
 * the kernel still delivers after that process has exited, belongs to that run. Pure.
 */
export function lateConnections(events: readonly ConnectionEvent[]): string[] {
  const acceptedHere = new Set(
    events.filter((e) => e.event === 'accept').map((e) => `${e.listener} ${e.client}`),
  );
  const decidedAt = new Map<string, ConnectionEvent>();
  for (const e of events) {
    if (e.event !== 'decided' || !acceptedHere.has(`${e.listener} ${e.client}`)) continue;
    const first = decidedAt.get(e.listener);
    if (first === undefined || e.t < first.t) decidedAt.set(e.listener, e);
  }
  return events
    .filter((e) => {
      const decided = decidedAt.get(e.listener);
      return e.event === 'accept' && decided !== undefined && e.t > decided.t;
    })
    .map((e) => {
      const decided = decidedAt.get(e.listener) as ConnectionEvent;
      return `${e.listener}: a connection from ${e.client} accepted ${e.t - decided.t} ms after ${decided.client} had its greeting`;
    });
}
