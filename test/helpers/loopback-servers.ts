// Loopback servers that behave like the mail servers (and the broken ones) mxprobe meets:
// real sockets on 127.0.0.1, each scripted by what it does with a new connection.

import {
  createServer as createTcpServer,
  type AddressInfo,
  type Server,
  type Socket,
} from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { SMTPServer } from 'smtp-server';
import { onLines } from '../../lab/peers.js';
import { makeTestCert, type TestCert } from './relay-fixtures.js';

export { onLines };

export interface Loopback {
  port: number;
  /** Lines each client sent, per connection, for asserting politeness (QUIT, no MAIL FROM). */
  received: string[][];
  close(): Promise<void>;
}

let cert: TestCert | undefined;
export function testCert(): TestCert {
  cert ??= makeTestCert();
  return cert;
}

async function listen(server: Server, host = '127.0.0.1', port = 0): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

function closer(server: Server, sockets: Set<Socket>): () => Promise<void> {
  return () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
}

/** Where to listen (127.0.0.1 on a free port unless said otherwise), and how to serve. */
export interface ScriptedOptions {
  host?: string;
  port?: number;
  /** Answer a client's QUIT with 221 (default): off for a server that ignores it. */
  answerQuit?: boolean;
}

/**
 * A plain TCP server running `behave` on each connection; records the lines clients send,
 * one list per connection (so `received.length` counts the connections).
 */
export async function scriptedServer(
  behave: (socket: Socket) => void,
  options: ScriptedOptions = {},
): Promise<Loopback> {
  const received: string[][] = [];
  const sockets = new Set<Socket>();
  const server = createTcpServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    recordLines(socket, received, options.answerQuit ?? true);
    behave(socket);
  });
  const port = await listen(server, options.host, options.port);
  return { port, received, close: closer(server, sockets) };
}

/**
 * Implicit TLS (port 465 style), then `behave`. The certificate is the self-signed test one
 * unless `credentials` gives another (an expired one, a huge chain).
 */
export async function scriptedTlsServer(
  behave: (socket: TLSSocket) => void,
  options: ScriptedOptions & { credentials?: TestCert } = {},
): Promise<Loopback> {
  const received: string[][] = [];
  const sockets = new Set<Socket>();
  const server = createTlsServer(options.credentials ?? testCert(), (socket) => {
    socket.on('error', () => undefined);
    recordLines(socket, received, options.answerQuit ?? true);
    behave(socket);
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('tlsClientError', () => undefined);
  const port = await listen(server, options.host, options.port);
  return { port, received, close: closer(server, sockets) };
}

/** A real SMTP server (the smtp-server package) with STARTTLS, recording commands. */
export async function realSmtpServer(
  options: { host?: string; port?: number; secure?: boolean } = {},
): Promise<Loopback> {
  const received: string[][] = [];
  const server = new SMTPServer({
    ...testCert(),
    secure: options.secure ?? false,
    name: 'mx.loopback.test',
    authOptional: true,
    // Never ask DNS for the client's name: tests stay on loopback, DNS included.
    disableReverseLookup: true,
    logger: false,
  });
  server.on('error', () => undefined);
  // smtp-server has no per-command hook; read what clients send from its own connections.
  server.server.on('connection', (socket: Socket) => recordLines(socket, received, false));
  const port = await listen(server.server, options.host, options.port);
  return {
    port,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A new list in `received` for this connection, filled with its lines; QUIT answered if asked. */
function recordLines(socket: Socket, received: string[][], answerQuit: boolean): void {
  const lines: string[] = [];
  received.push(lines);
  onLines(socket, (line) => {
    lines.push(line);
    if (answerQuit && /^QUIT$/i.test(line)) socket.end('221 bye\r\n');
  });
}

/** A port on 127.0.0.1 where nothing listens (connect is refused with RST). */
export async function closedPort(): Promise<number> {
  const server = createTcpServer();
  const port = await listen(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
