// Loopback relays for the relay tests: a throwaway certificate, smtp-server instances and a
// listener that accepts and never speaks.

import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { selfSigned } from '../../lab/certificates.js';

export { freePort } from '../../lab/free-port.js';

export interface TestCert {
  key: string;
  cert: string;
}

/**
 * A self-signed certificate for 127.0.0.1 and localhost (lab/certificates.ts): the server's
 * certificate and the client's trust anchor in one.
 */
export function makeTestCert(): TestCert {
  const dir = mkdtempSync(join(tmpdir(), 'mxprobe-relay-cert-'));
  try {
    const { key, cert } = selfSigned(
      dir,
      'localhost',
      {
        cn: 'localhost',
        names: ['localhost', '127.0.0.1'],
      },
      2,
    );
    return { key, cert };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface Listening {
  port: number;
  close(): Promise<void>;
}

export async function startSmtpServer(options: SMTPServerOptions): Promise<Listening> {
  const server = new SMTPServer({
    logger: false,
    // Never ask DNS for the client's name: tests stay on loopback, DNS included.
    disableReverseLookup: true,
    ...options,
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Accepts TCP connections and stays silent: what a dropping middlebox looks like from here. */
export async function startSilentServer(): Promise<Listening & { accepted: () => number }> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server: Server = createServer((socket) => {
    accepted += 1;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    accepted: () => accepted,
    close: () =>
      new Promise<void>((resolve) => {
        sockets.forEach((socket) => socket.destroy());
        server.close(() => resolve());
      }),
  };
}
