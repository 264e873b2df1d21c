// A real Prometheus server (Debian's `prometheus`) for the root tests: started on a free
// loopback port with the config a test writes, asked through its HTTP API, stopped afterwards.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './daemon-process.js';

export interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

export interface PrometheusServer {
  /** `http://127.0.0.1:PORT` */
  base: string;
  /** GET an API path; the `data` of a successful answer, else an error naming the path. */
  api<T>(path: string): Promise<T>;
  /** An instant query's samples. */
  query(promql: string): Promise<Sample[]>;
  stop(): Promise<void>;
}

/** Writes `config` to DIR/prometheus.yml, starts Prometheus on it and waits until it is ready. */
export async function startPrometheus(dir: string, config: string): Promise<PrometheusServer> {
  const configFile = join(dir, 'prometheus.yml');
  writeFileSync(configFile, config);
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(
    'prometheus',
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const api = async <T>(path: string): Promise<T> => {
    const body = (await (await fetch(`${base}${path}`)).json()) as {
      status: string;
      data: T;
      error?: string;
    };
    if (body.status !== 'success') throw new Error(`${path}: ${body.error ?? body.status}`);
    return body.data;
  };
  const server: PrometheusServer = {
    base,
    api,
    query: async (promql) =>
      (await api<{ result: Sample[] }>(`/api/v1/query?query=${encodeURIComponent(promql)}`)).result,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
  try {
    await eventually(
      () => fetch(`${base}/-/ready`),
      (r) => r.ok,
      30_000,
    );
  } catch (error) {
    await server.stop();
    throw error;
  }
  return server;
}

/** Asks `probe` every 250 ms until `accept` takes its value; throws with the last value after. */
export async function eventually<T>(
  probe: () => Promise<T>,
  accept: (value: T) => boolean,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await probe().catch(() => last);
    if (last !== undefined && accept(last)) return last;
    if (Date.now() > deadline)
      throw new Error(`not reached in ${timeoutMs} ms; last: ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
