// Keeps the HTTP endpoints from starving the prober: every idle HTTP connection holds a file
// descriptor, and a daemon out of descriptors can neither probe nor answer. The server keeps at
// most MAX_HTTP_CONNECTIONS; a new one beyond that pushes out the connection idle the longest
// (never one with a request in progress), so a scraper always gets in, and a connection that
// says nothing for HTTP_IDLE_TIMEOUT_MS is closed.

import type { Server } from 'node:http';
import type { Socket } from 'node:net';

/** Prometheus keeps one connection per target; a few people with curl need a few more. */
export const MAX_HTTP_CONNECTIONS = 32;
/** A scrape is one request and its answer within milliseconds; silence this long is idle. */
export const HTTP_IDLE_TIMEOUT_MS = 10_000;

export interface GuardOptions {
  maxConnections?: number;
  idleTimeoutMs?: number;
}

export function guardConnections(server: Server, options: GuardOptions = {}): void {
  const max = options.maxConnections ?? MAX_HTTP_CONNECTIONS;
  // Insertion order is the order of last activity: the first idle entry is the stalest.
  const open = new Map<Socket, { requests: number }>();
  // Node closes a socket that stays silent this long (no 'timeout' listener on the server).
  server.timeout = options.idleTimeoutMs ?? HTTP_IDLE_TIMEOUT_MS;
  server.on('connection', (socket: Socket) => {
    open.set(socket, { requests: 0 });
    socket.once('close', () => open.delete(socket));
    if (open.size > max) evictIdlest(open);
  });
  server.on('request', (request: { socket: Socket }, response: NodeJS.EventEmitter) => {
    const socket = request.socket;
    const state = open.get(socket);
    if (state === undefined) return;
    state.requests += 1;
    response.once('close', () => {
      state.requests -= 1;
      if (!open.has(socket)) return;
      open.delete(socket);
      open.set(socket, state);
    });
  });
}

function evictIdlest(open: Map<Socket, { requests: number }>): void {
  for (const [socket, state] of open) {
    if (state.requests > 0) continue;
    open.delete(socket);
    socket.destroy();
    return;
  }
}
