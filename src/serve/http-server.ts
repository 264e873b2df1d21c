// The daemon's HTTP endpoints (docs/reference.md, "HTTP endpoints"): GET /metrics (Prometheus text, or OpenMetrics when
// the scraper asks for it), GET /status (the latest report, §6) and GET /healthz. Anything else
// is 404. The server only reads what the daemon hands it; it never starts probes, so a burst of
// scrapes cannot make mxprobe knock on mail servers.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError } from '../config/error.js';
import type { ListenAddress } from '../config/types.js';
import type { Logger } from '../log.js';
import type { ExpositionFormat } from '../report/metrics.js';
import type { Report } from '../types.js';
import { describeErrno } from '../util/errno.js';
import { acceptsGzip, type Exposition } from './exposition-cache.js';

export interface EndpointSources {
  /** The exposition in the format, gzipped when the scraper accepts it and it is worth it. */
  metrics(format: ExpositionFormat, acceptsGzip: boolean): Promise<Exposition>;
  /** The latest finished cycle's report, or undefined before the first one. */
  latestReport(): Report | undefined;
  /** Why the probe loop is not healthy, or undefined while it runs as it should. */
  unhealthyReason(): string | undefined;
  log: Logger;
}

const OPENMETRICS = 'application/openmetrics-text';

/**
 * OpenMetrics when the Accept header ranks it at least as high as the text format (Prometheus
 * itself sends `application/openmetrics-text;version=1.0.0,...,text/plain;version=0.0.4;q=0.5`);
 * the classic text format otherwise, including when there is no Accept header. Pure.
 */
export function negotiateFormat(accept: string | undefined): ExpositionFormat {
  if (accept === undefined) return 'prometheus';
  let openMetricsQ = 0;
  let textQ = 0;
  for (const part of accept.split(',')) {
    const [type = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    const qParam = params.find((p) => p.startsWith('q='));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    if (!Number.isFinite(q)) continue;
    if (type === OPENMETRICS) openMetricsQ = Math.max(openMetricsQ, q);
    else if (type === 'text/plain' || type === 'text/*' || type === '*/*')
      textQ = Math.max(textQ, q);
  }
  return openMetricsQ > 0 && openMetricsQ >= textQ ? 'openmetrics' : 'prometheus';
}

export function createHttpServer(sources: EndpointSources): Server {
  const server = createServer((request, response) => {
    handle(request, response, sources).catch((error: unknown) => {
      sources.log.error('http request failed', { path: request.url, error });
      if (!response.headersSent)
        send(response, 500, 'text/plain; charset=utf-8', 'internal error\n');
      else response.destroy();
    });
  });
  // Scrapes are short; a client that stalls must not keep a socket (or shutdown) waiting.
  server.requestTimeout = 10_000;
  server.headersTimeout = 10_000;
  server.keepAliveTimeout = 5_000;
  return server;
}

async function handle(
  request: IncomingMessage,
  response: ServerResponse,
  sources: EndpointSources,
): Promise<void> {
  const path = new URL(request.url ?? '/', 'http://localhost').pathname;
  const route = ROUTES[path];
  if (route === undefined) {
    send(
      response,
      404,
      'text/plain; charset=utf-8',
      'not found: try /metrics, /status or /healthz\n',
    );
    return;
  }
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.setHeader('Allow', 'GET, HEAD');
    send(response, 405, 'text/plain; charset=utf-8', 'method not allowed\n');
    return;
  }
  await route(request, response, sources);
}

type Route = (
  request: IncomingMessage,
  response: ServerResponse,
  sources: EndpointSources,
) => Promise<void>;

const ROUTES: Record<string, Route | undefined> = {
  '/metrics': async (request, response, sources) => {
    const { contentType, chunks, gzipped } = await sources.metrics(
      negotiateFormat(request.headers.accept),
      acceptsGzip(request.headers['accept-encoding']),
    );
    response.setHeader('Vary', 'Accept, Accept-Encoding');
    if (gzipped) response.setHeader('Content-Encoding', 'gzip');
    send(response, 200, contentType, chunks);
  },
  '/status': (_request, response, sources) => {
    const report = sources.latestReport();
    if (report === undefined) {
      send(
        response,
        503,
        'application/json',
        `${JSON.stringify({ error: 'no probe cycle has finished yet' })}\n`,
      );
    } else {
      send(response, 200, 'application/json', `${JSON.stringify(report, null, 2)}\n`);
    }
    return Promise.resolve();
  },
  '/healthz': (_request, response, sources) => {
    const reason = sources.unhealthyReason();
    if (reason === undefined) send(response, 200, 'text/plain; charset=utf-8', 'ok\n');
    else send(response, 503, 'text/plain; charset=utf-8', `unhealthy: ${reason}\n`);
    return Promise.resolve();
  },
};

function send(
  response: ServerResponse,
  status: number,
  contentType: string,
  body: string | readonly Buffer[],
): void {
  const chunks = typeof body === 'string' ? [Buffer.from(body)] : body;
  response.writeHead(status, {
    'Content-Type': contentType,
    'Content-Length': chunks.reduce((sum, chunk) => sum + chunk.length, 0),
    'Cache-Control': 'no-store',
  });
  if (response.req.method !== 'HEAD') for (const chunk of chunks) response.write(chunk);
  response.end();
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
