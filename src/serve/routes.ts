// The daemon's HTTP endpoints (docs/reference.md, "HTTP endpoints"): `/` (a landing page),
// GET /metrics (Prometheus text, or OpenMetrics when the scraper asks for it), GET /status
// (the latest report, §6), GET /healthz (and /-/healthy, its name among Prometheus exporters),
// GET /-/ready (200 once the first cycle finished), and POST /-/reload (as SIGHUP). With basic auth
// configured every path wants credentials first, unknown ones too, so a stranger learns
// nothing, not even which paths exist. The routes only read what the daemon hands them (and
// ask it to reload); they never start probes, so a burst of scrapes cannot make mxprobe knock
// on mail servers.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../log.js';
import type { ExpositionFormat } from '../report/metrics.js';
import { redactIdentifiers } from '../report/redact.js';
import type { Report } from '../types.js';
import { printable } from '../util/printable.js';
import type { Access, AccessVerdict } from './access.js';
import type { MetricsBody } from './metrics-body-cache.js';
import { acceptsGzip, negotiateFormat } from './negotiation.js';
import { LANDING_PAGE_CSP, renderLandingPage } from './landing-page.js';

/** How a reload went: in force, or refused with the one-line reason (the old config stays). */
export type ReloadOutcome = { ok: true } | { ok: false; reason: string };

export interface EndpointSources {
  /** The metrics in the format, gzipped when the scraper accepts it. */
  metrics(format: ExpositionFormat, acceptsGzip: boolean): Promise<MetricsBody>;
  /** The latest finished cycle's report, or undefined before the first one. */
  latestReport(): Report | undefined;
  /** Why the probe loop is not healthy, or undefined while it runs as it should. */
  unhealthyReason(): string | undefined;
  /** Re-reads the config (and the web config), as SIGHUP does. */
  reload(): Promise<ReloadOutcome>;
  /** Whether POST /-/reload is served (--web.enable-lifecycle). */
  lifecycleEnabled(): boolean;
  /** Authentication and headers under the web config in force (a reload replaces it). */
  access(): Access;
  version: string;
  log: Logger;
}

const TEXT = 'text/plain; charset=utf-8';

type Allowed = Extract<AccessVerdict, { allowed: true }>;

interface Route {
  methods: readonly string[];
  serve(
    request: IncomingMessage,
    response: ServerResponse,
    sources: EndpointSources,
    verdict: Allowed,
  ): Promise<void>;
}

const READ = ['GET', 'HEAD'] as const;

/** 200 while the probe loop runs, 503 with the reason once it stalls (a liveness check). */
const HEALTHY: Route = {
  methods: READ,
  serve: (_request, response, sources) => {
    const reason = sources.unhealthyReason();
    if (reason === undefined) send(response, 200, TEXT, 'ok\n');
    else send(response, 503, TEXT, `unhealthy: ${reason}\n`);
    return Promise.resolve();
  },
};

const ROUTES: Readonly<Record<string, Route | undefined>> = {
  '/': {
    methods: READ,
    serve: (_request, response, sources) => {
      response.setHeader('Content-Security-Policy', LANDING_PAGE_CSP);
      const page = renderLandingPage({
        version: sources.version,
        diagnosis: sources.latestReport()?.diagnosis.code,
      });
      send(response, 200, 'text/html; charset=utf-8', page);
      return Promise.resolve();
    },
  },
  '/metrics': {
    methods: READ,
    serve: async (request, response, sources) => {
      const { contentType, chunks, gzipped } = await sources.metrics(
        negotiateFormat(request.headers.accept),
        acceptsGzip(request.headers['accept-encoding']),
      );
      response.setHeader('Vary', 'Accept, Accept-Encoding');
      if (gzipped) response.setHeader('Content-Encoding', 'gzip');
      send(response, 200, contentType, chunks);
    },
  },
  '/status': {
    methods: READ,
    serve: (_request, response, sources, verdict) => {
      const report = sources.latestReport();
      if (report === undefined) {
        const body = { error: 'no probe cycle has finished yet' };
        send(response, 503, 'application/json', `${JSON.stringify(body)}\n`);
        return Promise.resolve();
      }
      // Account and machine ids only for a client that proved who it is (docs/reference.md).
      const shown = verdict.authenticated ? report : redactIdentifiers(report);
      send(response, 200, 'application/json', `${JSON.stringify(shown, null, 2)}\n`);
      return Promise.resolve();
    },
  },
  '/healthz': HEALTHY,
  '/-/healthy': HEALTHY,
  '/-/ready': {
    methods: READ,
    serve: (_request, response, sources) => {
      if (sources.latestReport() !== undefined) send(response, 200, TEXT, 'ready\n');
      else send(response, 503, TEXT, 'not ready: no probe cycle has finished yet\n');
      return Promise.resolve();
    },
  },
  '/-/reload': {
    methods: ['POST'],
    serve: async (_request, response, sources) => {
      // As Prometheus does: a lifecycle endpoint is refused unless the flag turned it on.
      if (!sources.lifecycleEnabled()) {
        send(
          response,
          403,
          TEXT,
          'lifecycle API is not enabled (start with --web.enable-lifecycle)\n',
        );
        return;
      }
      const outcome = await sources.reload();
      if (outcome.ok) send(response, 200, TEXT, 'config reloaded\n');
      else send(response, 500, TEXT, `reload failed: ${outcome.reason}\n`);
    },
  },
};

export async function handleRequest(
  request: IncomingMessage,
  response: ServerResponse,
  sources: EndpointSources,
): Promise<void> {
  const access = sources.access();
  for (const [name, value] of Object.entries(access.headers)) response.setHeader(name, value);
  const verdict = await access.check(request);
  if (!verdict.allowed) {
    response.setHeader('WWW-Authenticate', 'Basic realm="mxprobe", charset="UTF-8"');
    send(response, 401, TEXT, 'unauthorized\n');
    return;
  }
  const path = pathOf(request.url);
  if (path === undefined) {
    // A target no URL parser reads (`GET http://[ HTTP/1.1`) is the client's mistake.
    sources.log.debug('http request target unreadable', {
      path: printable(request.url ?? '', 200),
    });
    send(response, 400, TEXT, 'bad request: the request target is not a path\n');
    return;
  }
  const route = ROUTES[path];
  if (route === undefined) {
    send(response, 404, TEXT, 'not found: try /, /metrics, /status or /healthz\n');
    return;
  }
  if (!route.methods.includes(request.method ?? '')) {
    response.setHeader('Allow', route.methods.join(', '));
    send(response, 405, TEXT, `method not allowed: ${route.methods.join(' or ')} only\n`);
    return;
  }
  await route.serve(request, response, sources, verdict);
}

/** The path of a request target (origin or absolute form), or undefined when unreadable. */
function pathOf(target: string | undefined): string | undefined {
  try {
    return new URL(target ?? '/', 'http://localhost').pathname;
  } catch {
    return undefined;
  }
}

export function send(
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
