// The daemon's HTTP server: plain HTTP, or HTTPS when the web config has `tls_server_config`
// (routes.ts answers the requests; access.ts decides who may see what). It binds, and closes
// without letting a stalled client hold up shutdown.

import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { ConfigError } from '../config/error.js';
import type { ListenAddress, WebTls } from '../config/types.js';
import { describeErrno } from '../util/errno.js';
import { printable } from '../util/printable.js';
import { guardConnections } from './connection-guard.js';
import { handleRequest, send, type EndpointSources } from './routes.js';
import { clientCertificateRefusal, tlsServerOptions } from './tls-listener.js';

export type { EndpointSources } from './routes.js';

/** An HTTP server for the endpoints; HTTPS when `tls` is given. */
export function createHttpServer(sources: EndpointSources, tls?: WebTls): Server {
  const onRequest: Parameters<typeof createServer>[1] = (request, response) => {
    handleRequest(request, response, sources).catch((error: unknown) => {
      // The path is the client's text: escaped and cut, so it can neither forge nor flood a line.
      sources.log.error('http request failed', { path: printable(request.url ?? '', 200), error });
      if (!response.headersSent)
        send(response, 500, 'text/plain; charset=utf-8', 'internal error\n');
      else response.destroy();
    });
  };
  const server = tls === undefined ? createServer(onRequest) : createTlsServer(tls, onRequest);
  // Scrapes are short; a client that stalls must not keep a socket (or shutdown) waiting.
  server.requestTimeout = 10_000;
  server.headersTimeout = 10_000;
  server.keepAliveTimeout = 5_000;
  guardConnections(server);
  return server;

  function createTlsServer(settings: WebTls, handler: typeof onRequest): Server {
    const https = createHttpsServer(tlsServerOptions(settings), handler);
    // The policies Node does not enforce itself, under the web config in force at the time.
    https.on('secureConnection', (socket) => {
      const refusal = clientCertificateRefusal(sources.access().clientAuth, socket);
      if (refusal === undefined) return;
      sources.log.debug('tls client refused', { reason: refusal });
      socket.destroy();
    });
    https.on('tlsClientError', (error) => {
      sources.log.debug('tls handshake failed', { error: error.message.split('\n')[0] });
    });
    return https;
  }
}

/** Binds to the listen address (no host: every interface, IPv4 and IPv6). */
export async function listen(server: Server, address: ListenAddress): Promise<AddressInfo> {
  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      reject(
        new ConfigError(
          [`${address.origin} ${address.text}: cannot listen: ${describeErrno(error)}`],
          { cause: error },
        ),
      );
    };
    server.once('error', onError);
    server.listen(
      { port: address.port, ...(address.host === undefined ? {} : { host: address.host }) },
      () => {
        server.off('error', onError);
        resolve();
      },
    );
  });
  return server.address() as AddressInfo;
}

/** Stops accepting, ends idle keep-alive sockets at once and in-flight ones after a short grace. */
export async function closeServer(server: Server, graceMs = 1_000): Promise<void> {
  if (!server.listening) return;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const timer = setTimeout(() => server.closeAllConnections(), graceMs);
  await closed;
  clearTimeout(timer);
}
