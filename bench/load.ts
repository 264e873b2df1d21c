// `node dist/bench/load.js URL RATE SECONDS`: GETs URL RATE times a second for SECONDS, open
// loop (a slow answer never delays the next request, so slowness shows as latency), over
// keep-alive connections and with the headers Prometheus scrapes with, and prints one JSON
// document: each request's start (ms since the epoch), its latency to the last byte (ms), its
// status and its size on the wire.

import http from 'node:http';
import { pathToFileURL } from 'node:url';

export interface LoadSample {
  startedAt: number;
  latencyMs: number;
  status: number;
  bytes: number;
}

const DRAIN_MS = 10_000;
/** What Prometheus 2.x/3.x asks for: OpenMetrics first, gzip. */
const SCRAPE_HEADERS = {
  Accept:
    'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1',
  'Accept-Encoding': 'gzip',
};

export async function generateLoad(
  url: string,
  ratePerSecond: number,
  seconds: number,
): Promise<LoadSample[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const samples: LoadSample[] = [];
  const pending = new Set<Promise<void>>();
  const request = (): Promise<void> =>
    new Promise((resolve) => {
      const startedAt = Date.now();
      const began = performance.now();
      const done = (status: number, bytes: number): void => {
        samples.push({ startedAt, latencyMs: performance.now() - began, status, bytes });
        resolve();
      };
      http
        .get(url, { agent, headers: SCRAPE_HEADERS }, (response) => {
          let bytes = 0;
          response.on('data', (chunk: Buffer) => (bytes += chunk.length));
          response.on('end', () => done(response.statusCode ?? 0, bytes));
          response.on('error', () => done(0, bytes));
        })
        .on('error', () => done(0, 0));
    });
  const total = Math.round(ratePerSecond * seconds);
  const began = performance.now();
  let sent = 0;
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const due = Math.min(total, Math.floor(((performance.now() - began) * ratePerSecond) / 1000));
      while (sent < due) {
        sent += 1;
        const p = request();
        pending.add(p);
        void p.then(() => pending.delete(p));
      }
      if (sent >= total) resolve();
      else setTimeout(tick, 1);
    };
    tick();
  });
  await Promise.race([
    Promise.all(pending),
    new Promise((resolve) => setTimeout(resolve, DRAIN_MS).unref()),
  ]);
  agent.destroy();
  return samples;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [url, rate, seconds] = process.argv.slice(2);
  if (url === undefined || rate === undefined || seconds === undefined) {
    process.stderr.write('usage: load.js URL RATE SECONDS\n');
    process.exitCode = 2;
  } else {
    generateLoad(url, Number(rate), Number(seconds)).then(
      (samples) => process.stdout.write(`${JSON.stringify(samples)}\n`),
      (error: unknown) => {
        process.stderr.write(`load: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exitCode = 1;
      },
    );
  }
}
