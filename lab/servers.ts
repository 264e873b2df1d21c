// The lab's mail servers: one process inside the internet namespace that listens on 25, 587,
// 465 and 2525 (the relays' alternative submission port) of every lab host address. Well-behaved hosts are real SMTP servers (smtp-server:
// STARTTLS on 25/587, implicit TLS on 465, mail accepted and thrown away); the misbehaving
// ones are plain sockets that do exactly one wrong thing, as named in zone.ts (lab/peers.ts,
// which the loopback tests' hostile servers play too).
//
// Run as `node dist/lab/servers.js CONFIG.json`; prints `ready` on stdout once every
// listener is bound, and exits on SIGTERM/SIGINT.

import { readFileSync } from 'node:fs';
import http from 'node:http';
import net, { BlockList, isIP } from 'node:net';
import tls from 'node:tls';
import { pathToFileURL } from 'node:url';
import { SMTPServer } from 'smtp-server';
import { labMetadataHandler } from './cloud-services.js';
import { VM_ADDRESS_V6 } from './topology.js';
import { endpoint, openConnectionLog, type ConnectionLogger } from './connection-log.js';
import { misbehave, type WireBehaviour } from './peers.js';
import {
  AZURE_COMPUTE,
  AZURE_METADATA_PATH,
  METADATA_ADDRESS,
  METADATA_PORT,
  refusalGreeting,
  SLOW_GREETING_MS,
  type Behaviour,
  type Refusal,
} from './zone.js';

export const SMTP_PORTS = [25, 587, 465, 2525] as const;
/** The credentials lab submission servers accept, for trying authenticated relaying by hand. */
export const LAB_USER = 'lab';
export const LAB_PASSWORD = 'lab';

export interface Listener {
  address: string;
  port: number;
  name: string;
  behaviour: Behaviour;
  /** How this listener refuses a client on the blocklist (MX hosts on 25); none: it never does. */
  refusal?: Refusal;
}

export interface ServersConfig {
  listeners: Listener[];
  tls: { key: string; cert: string; expiredKey: string; expiredCert: string };
  /** Client addresses the refusing listeners turn away (the VM behind the lab's NAT). */
  blockedClients: string[];
  /** The public IP the fake Azure IMDS gives the VM's network interface. */
  vmPublicIp: string;
  /** Where every accepted connection is recorded (lab/connection-log.ts), if anywhere. */
  connectionLog?: string;
}

interface Closable {
  close(callback?: () => void): unknown;
}

/** The clients a refusing listener turns away. */
function blockList(addresses: readonly string[]): BlockList {
  const list = new BlockList();
  for (const address of addresses) list.addAddress(address, isIP(address) === 6 ? 'ipv6' : 'ipv4');
  return list;
}

/** A well-behaved MTA on one address and port; it greets a blocked client with its refusal. */
function smtpServer(
  listener: Listener,
  key: Buffer,
  cert: Buffer,
  blocked: BlockList,
  log: ConnectionLogger | undefined,
): SMTPServer {
  const server = new SMTPServer({
    name: listener.name,
    banner: 'mxprobe lab MTA',
    secure: listener.port === 465,
    key,
    cert,
    logger: false,
    // The internet namespace has no resolver of its own: a PTR lookup would only add delay.
    disableReverseLookup: true,
    authOptional: true,
    // AUTH only where a real provider offers it: on submission, after TLS.
    disabledCommands: listener.port === 25 ? ['AUTH'] : [],
    size: 1024 * 1024,
    onAuth(auth, _session, callback) {
      if (auth.username === LAB_USER && auth.password === LAB_PASSWORD)
        callback(null, { user: LAB_USER });
      else callback(new Error('535 5.7.8 lab: bad credentials (use lab/lab)'));
    },
    onConnect(session, callback) {
      const client = session.remoteAddress;
      const family = isIP(client) === 6 ? 'ipv6' : 'ipv4';
      if (listener.refusal === undefined || !blocked.check(client, family)) {
        callback();
        return;
      }
      const { code, text } = refusalGreeting(listener.refusal, client);
      callback(Object.assign(new Error(text), { responseCode: code }));
    },
    onData(stream, _session, callback) {
      stream.resume();
      stream.on('end', () => callback());
    },
    // On 465 the client has its answer when TLS is up (the greeting follows at once).
    onSecure(_socket, session, callback) {
      if (listener.port === 465)
        log?.({
          listener: endpoint(listener.address, listener.port),
          client: endpoint(session.remoteAddress, session.remotePort),
          event: 'decided',
        });
      callback();
    },
  });
  recordConnections(server.server, listener, log);
  // A client resetting mid-session is routine here (the probes hang up early); never crash.
  server.on('error', () => undefined);
  return server;
}

/**
 * The raw server for a misbehaving host. On 465 the greeting misbehaviours come after a
 * correct TLS handshake (the server is TLS, its SMTP is wrong); the wire-level ones (silence,
 * garbage, reset, endless bytes) happen before any TLS, where a real broken box would fail.
 */
function misbehavingServer(
  listener: Listener & { behaviour: WireBehaviour },
  key: Buffer,
  cert: Buffer,
  log: ConnectionLogger | undefined,
): net.Server {
  const afterTls =
    listener.port === 465 &&
    (listener.behaviour === 'greet-554' || listener.behaviour === 'slow-greet');
  if (afterTls) {
    const server = tls.createServer({ key, cert }, (socket) => {
      log?.({
        listener: endpoint(listener.address, listener.port),
        client: endpoint(socket.remoteAddress, socket.remotePort),
        event: 'decided',
      });
      misbehave(listener.behaviour, socket, listener.name, SLOW_GREETING_MS);
    });
    server.on('tlsClientError', () => undefined);
    recordConnections(server, listener, log);
    return server;
  }
  const server = net.createServer((socket) =>
    misbehave(listener.behaviour, socket, listener.name, SLOW_GREETING_MS),
  );
  recordConnections(server, listener, log);
  return server;
}

/**
 * Records each connection the server accepts and, on a plain port, when its client first
 * speaks (it has its answer then: lab/connection-log.ts).
 */
function recordConnections(
  server: net.Server,
  listener: Listener,
  log: ConnectionLogger | undefined,
): void {
  if (log === undefined) return;
  const at = endpoint(listener.address, listener.port);
  server.on('connection', (socket: net.Socket) => {
    const client = endpoint(socket.remoteAddress, socket.remotePort);
    log({ listener: at, client, event: 'accept' });
    if (listener.port !== 465)
      socket.once('data', () => log({ listener: at, client, event: 'decided' }));
  });
}

/** What net.Server and SMTPServer have in common for binding. */
type Bindable = NodeJS.EventEmitter & {
  listen(port: number, host: string, callback: () => void): unknown;
};

function listen(server: Bindable, at: { address: string; port: number }): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void =>
      reject(new Error(`cannot listen on [${at.address}]:${at.port}: ${error.message}`));
    server.once('error', onError);
    server.listen(at.port, at.address, () => {
      server.removeListener('error', onError);
      server.on('error', () => undefined);
      resolve();
    });
  });
}

/**
 * The fake Azure instance-metadata service: answers GET /metadata/instance with the header
 * `Metadata: true` as IMDS does (compute facts, and the VM's public IP on its network
 * interface); everything else is 404, which is what an AWS or GCP probe of this address gets.
 * Under /cloud/<platform>/ it plays that platform's service instead.
 */
function metadataServer(vmPublicIp: string): http.Server {
  return http.createServer((request, response) => {
    // The other platforms' fakes, each under its own prefix (lab/cloud-services.ts).
    const cloud = labMetadataHandler(request, { ipv4: vmPublicIp, ipv6: VM_ADDRESS_V6 });
    if (cloud !== undefined) return cloud(request, response);
    const url = new URL(request.url ?? '/', 'http://metadata');
    if (
      request.method === 'GET' &&
      url.pathname === AZURE_METADATA_PATH &&
      request.headers.metadata === 'true'
    ) {
      response.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      const nic = {
        ipv4: { ipAddress: [{ privateIpAddress: '10.0.0.4', publicIpAddress: vmPublicIp }] },
      };
      response.end(JSON.stringify({ compute: AZURE_COMPUTE, network: { interface: [nic] } }));
      return;
    }
    response.writeHead(404, { 'content-type': 'text/plain' });
    response.end('not found\n');
  });
}

/** Binds every listener; resolves with a function that closes them all. */
export async function startServers(config: ServersConfig): Promise<() => Promise<void>> {
  const key = readFileSync(config.tls.key);
  const cert = readFileSync(config.tls.cert);
  const expiredKey = readFileSync(config.tls.expiredKey);
  const expiredCert = readFileSync(config.tls.expiredCert);
  const servers: Closable[] = [];
  const blocked = blockList(config.blockedClients);
  const metadata = metadataServer(config.vmPublicIp);
  const connections = config.connectionLog ? openConnectionLog(config.connectionLog) : undefined;
  servers.push(metadata);
  await listen(metadata, { address: METADATA_ADDRESS, port: METADATA_PORT });
  await Promise.all(
    config.listeners.map(async (listener) => {
      const log = connections?.log;
      const server =
        listener.behaviour === 'smtp'
          ? smtpServer(listener, key, cert, blocked, log)
          : listener.behaviour === 'expired-cert'
            ? smtpServer(listener, expiredKey, expiredCert, blocked, log)
            : misbehavingServer({ ...listener, behaviour: listener.behaviour }, key, cert, log);
      servers.push(server);
      await listen(server, listener);
    }),
  );
  return () =>
    Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve())))).then(
      () => connections?.close(),
    );
}

async function main(configPath: string): Promise<void> {
  const config = JSON.parse(readFileSync(configPath, 'utf8')) as ServersConfig;
  const close = await startServers(config);
  const stop = (): void => {
    // Connections held open on purpose would keep close() waiting; exit without them.
    void close();
    setTimeout(() => process.exit(0), 200).unref();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  process.stdout.write(`ready ${config.listeners.length} listeners\n`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const configPath = process.argv[2];
  if (configPath === undefined) {
    process.stderr.write('usage: servers.js CONFIG.json\n');
    process.exitCode = 2;
  } else {
    main(configPath).catch((error: unknown) => {
      process.stderr.write(
        `lab servers: ${error instanceof Error ? error.message : String(error)}\n`,
      );
      process.exitCode = 1;
    });
  }
}
