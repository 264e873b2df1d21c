// The bench's plain SMTP greeters: one light process inside the lab's internet namespace that
// listens on one port of many addresses (2,000 real SMTP servers would measure the servers,
// not the probe). Each connection is greeted at once (`220`); EHLO gets a `250` without
// STARTTLS, QUIT a `221` and the close, anything else a `502` (lab/peers.ts). Every accepted connection, and
// when its client first spoke, is recorded in the lab's connection-log format.
//
// Run as `node dist/bench/greeter.js CONFIG.json`; prints `ready N` once every listener is
// bound, and exits on SIGTERM/SIGINT.

import { readFileSync } from 'node:fs';
import net from 'node:net';
import { pathToFileURL } from 'node:url';
import { endpoint, openConnectionLog, type ConnectionLogger } from '../lab/connection-log.js';
import { greetLightly } from '../lab/peers.js';

export interface GreeterConfig {
  addresses: string[];
  port: number;
  connectionLog: string;
}

/** A connection that says nothing more within this long is closed (a client that went away). */
const IDLE_MS = 30_000;

function greet(socket: net.Socket, name: string, log: ConnectionLogger, listener: string): void {
  const client = endpoint(socket.remoteAddress, socket.remotePort);
  log({ listener, client, event: 'accept' });
  greetLightly(socket, name, IDLE_MS, () => log({ listener, client, event: 'decided' }));
}

export async function startGreeters(config: GreeterConfig): Promise<net.Server[]> {
  const { log } = openConnectionLog(config.connectionLog);
  return Promise.all(
    config.addresses.map(
      (address, index) =>
        new Promise<net.Server>((resolve, reject) => {
          const listener = endpoint(address, config.port);
          const name = `h${index + 1}.bench.test`;
          const server = net.createServer((socket) => greet(socket, name, log, listener));
          server.once('error', (error) => reject(new Error(`${listener}: ${error.message}`)));
          server.listen({ port: config.port, host: address, backlog: 1024 }, () => resolve(server));
        }),
    ),
  );
}

async function main(configPath: string): Promise<void> {
  const config = JSON.parse(readFileSync(configPath, 'utf8')) as GreeterConfig;
  const servers = await startGreeters(config);
  const stop = (): void => {
    for (const server of servers) server.close();
    setTimeout(() => process.exit(0), 200).unref();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  process.stdout.write(`ready ${servers.length}\n`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const configPath = process.argv[2];
  if (configPath === undefined) {
    process.stderr.write('usage: greeter.js CONFIG.json\n');
    process.exitCode = 2;
  } else {
    main(configPath).catch((error: unknown) => {
      process.stderr.write(`greeter: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    });
  }
}
