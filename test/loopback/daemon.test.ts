// The daemon in-process with a scripted probe pass: what a scraper, an operator reading the logs
// and systemd (signals) see. The real binary against real sockets is daemon-process.test.ts.
import { EventEmitter } from 'node:events';
import { get } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { defaultConfig } from '../../src/config/default-config.js';
import { parseFlagText } from '../../src/config/kinds.js';
import { ConfigError } from '../../src/config/error.js';
import { parseConfig } from '../../src/config/load.js';
import type { ProbeConfig } from '../../src/config/types.js';
import { runDaemon, type RunPass } from '../../src/serve/daemon.js';
import { createLogger } from '../../src/log.js';
import { freePort } from '../../lab/free-port.js';
import type { Report } from '../../src/types.js';
import {
  allOpenReport,
  attempt,
  azureBlockedReport,
  port25BlockedReport,
  report,
} from '../helpers/report-fixtures.js';

interface Harness {
  base: string;
  signals: EventEmitter;
  logs: Record<string, unknown>[];
  configs: ProbeConfig[];
  done: Promise<void>;
  stop(): Promise<void>;
}

const running: Harness[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((h) => h.stop()));
});

/** The listen address as --web.listen-address reads it. */
function listenFlag(text: string): ProbeConfig['listen'] {
  const parsed = parseFlagText({ name: 'listen' }, text, '--web.listen-address');
  if (!parsed.ok) throw new Error(`--web.listen-address expects ${parsed.expected}`);
  return parsed.value;
}

/** A daemon config; `listen` is given as on the command line ("127.0.0.1:9725"). */
function config(
  overrides: Omit<Partial<ProbeConfig>, 'listen'> & { listen?: string } = {},
): ProbeConfig {
  const { listen = '127.0.0.1:0', ...rest } = overrides;
  return {
    ...defaultConfig(),
    intervalMs: 60_000,
    minIntervalMs: 10,
    listen: listenFlag(listen),
    ...rest,
  };
}

/** Starts the daemon on a free loopback port; `pass` decides what each cycle returns. */
async function start(
  pass: (cycle: number, signal: AbortSignal) => Promise<Report>,
  options: {
    config?: ProbeConfig;
    reloadConfig?: () => Promise<ProbeConfig>;
    random?: () => number;
    afterCycle?: (attempts: number | undefined) => void;
  } = {},
): Promise<Harness> {
  const signals = new EventEmitter();
  const logs: Record<string, unknown>[] = [];
  const configs: ProbeConfig[] = [];
  let cycle = 0;
  const runPass: RunPass = (cfg, passOptions) => {
    configs.push(cfg);
    return pass(++cycle, passOptions.signal ?? new AbortController().signal);
  };
  let address: AddressInfo | undefined;
  const initial = options.config ?? config({ listen: `127.0.0.1:${await freePort()}` });
  const done = runDaemon({
    config: initial,
    reloadConfig: options.reloadConfig ?? (() => Promise.resolve(initial)),
    log: createLogger({
      level: 'debug',
      format: 'json',
      write: (line) => logs.push(JSON.parse(line) as Record<string, unknown>),
    }),
    runPass,
    signals,
    random: options.random ?? (() => 0),
    onListening: (a) => (address = a),
    ...(options.afterCycle ? { afterCycle: options.afterCycle } : {}),
  });
  await until(() => address !== undefined || logs.length > 0);
  const harness: Harness = {
    base: `http://127.0.0.1:${address?.port}`,
    signals,
    logs,
    configs,
    done,
    stop: async () => {
      signals.emit('SIGTERM');
      await done;
    },
  };
  running.push(harness);
  return harness;
}

/** The real timer: polling goes on in real time while a test fakes the daemon's clock. */
const realSetTimeout = globalThis.setTimeout;

async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => realSetTimeout(resolve, 10));
  }
}

function never(signal: AbortSignal): Promise<Report> {
  return new Promise((_resolve, reject) =>
    signal.addEventListener('abort', () => reject(signal.reason as Error)),
  );
}

const finished = (h: Harness): number =>
  h.logs.filter((l) => l.msg === 'probe cycle finished').length;
const text = async (url: string, init?: RequestInit) => {
  const response = await fetch(url, init);
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    body: await response.text(),
  };
};

describe('daemon endpoints', () => {
  it('runs the first cycle at once and serves it on /metrics, /status and /healthz', async () => {
    const h = await start(() => Promise.resolve(port25BlockedReport()));
    await until(() => finished(h) === 1);
    const metrics = await text(`${h.base}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.type).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(metrics.body).toContain('mxprobe_diagnosis{code="port25-blocked"} 1');
    expect(metrics.body).toMatch(/^process_cpu_seconds_total /m);
    const status = await text(`${h.base}/status`);
    expect(status.status).toBe(200);
    expect(JSON.parse(status.body)).toEqual(port25BlockedReport());
    expect(await text(`${h.base}/healthz`)).toMatchObject({ status: 200, body: 'ok\n' });
  });

  it('/-/ready turns 200 only once the first cycle finished; /-/healthy answers as /healthz', async () => {
    let release: (report: Report) => void = () => undefined;
    const h = await start(
      () =>
        new Promise<Report>((resolve) => {
          release = resolve;
        }),
    );
    expect(await text(`${h.base}/-/ready`)).toMatchObject({
      status: 503,
      body: 'not ready: no probe cycle has finished yet\n',
    });
    expect(await text(`${h.base}/-/healthy`)).toEqual(await text(`${h.base}/healthz`));
    release(allOpenReport());
    await until(() => finished(h) === 1);
    expect(await text(`${h.base}/-/ready`)).toMatchObject({ status: 200, body: 'ready\n' });
    expect(await text(`${h.base}/-/healthy`)).toMatchObject({ status: 200, body: 'ok\n' });
  });

  it('answers 404 to any other path and 405 to other methods', async () => {
    const h = await start(() => Promise.resolve(allOpenReport()));
    expect((await text(`${h.base}/metricsx`)).status).toBe(404);
    expect((await text(`${h.base}/index.html`)).status).toBe(404);
    for (const path of ['/', '/metrics', '/status', '/healthz']) {
      const response = await fetch(`${h.base}${path}`, { method: 'POST' });
      expect([path, response.status, response.headers.get('allow')]).toEqual([
        path,
        405,
        'GET, HEAD',
      ]);
    }
    const reload = await fetch(`${h.base}/-/reload`);
    expect([reload.status, reload.headers.get('allow')]).toEqual([405, 'POST']);
  });

  it('speaks OpenMetrics when the scraper asks for it', async () => {
    const h = await start(() => Promise.resolve(allOpenReport()));
    await until(() => finished(h) === 1);
    const metrics = await text(`${h.base}/metrics`, {
      headers: {
        accept:
          'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1',
      },
    });
    expect(metrics.type).toMatch(/^application\/openmetrics-text; version=1\.0\.0/);
    expect(metrics.body).toContain(
      'mxprobe_probes_total{port="25",result="reachable",reason="greeting"} 1',
    );
    expect(metrics.body.endsWith('# EOF\n')).toBe(true);
  });

  it('shows the previous cycle, whole, while the next one runs', async () => {
    let release: (r: Report) => void = () => undefined;
    const h = await start(
      (cycle, signal) =>
        cycle === 1
          ? Promise.resolve(port25BlockedReport())
          : cycle === 2
            ? new Promise<Report>((r) => (release = r))
            : never(signal),
      { config: config({ listen: `127.0.0.1:${await freePort()}`, intervalMs: 20 }) },
    );
    await until(() => h.configs.length === 2);
    expect(JSON.parse((await text(`${h.base}/status`)).body)).toMatchObject({
      diagnosis: { code: 'port25-blocked' },
    });
    expect((await text(`${h.base}/metrics`)).body).toContain(
      'mxprobe_diagnosis{code="port25-blocked"} 1',
    );
    release(allOpenReport());
    await until(() => finished(h) === 2);
    const after = (await text(`${h.base}/metrics`)).body;
    expect(after).toContain('mxprobe_diagnosis{code="ok"} 1');
    expect(after).toContain('mxprobe_port_status{port="25",status="open"} 1');
  });

  it('without a web config nobody is authenticated: /status hides the account and VM ids', async () => {
    const h = await start(() => Promise.resolve(azureBlockedReport()));
    await until(() => finished(h) === 1);
    const status = await text(`${h.base}/status`);
    expect(status.status).toBe(200);
    expect(status.body).not.toContain('8d10da13-8125-4ba9-a717-bf7490507b3d');
    expect(JSON.parse(status.body)).toMatchObject({
      environment: { azure: { subscriptionId: 'redacted', location: 'westeurope' } },
      diagnosis: { code: 'port25-blocked' },
      redacted: ['environment.azure.subscriptionId', 'environment.azure.vmId'],
    });
  });

  it('serves a landing page at / that links the endpoints', async () => {
    const h = await start(() => Promise.resolve(allOpenReport()));
    const page = await text(`${h.base}/`);
    expect(page).toMatchObject({ status: 200, type: 'text/html; charset=utf-8' });
    expect(page.body).toContain('<a href="metrics">/metrics</a>');
    expect((await fetch(`${h.base}/`, { method: 'HEAD' })).status).toBe(200);
  });

  it('says 503 on /status until the first cycle has finished', async () => {
    const h = await start((_cycle, signal) => never(signal));
    await until(() => h.configs.length === 1);
    const status = await text(`${h.base}/status`);
    expect(status.status).toBe(503);
    expect(JSON.parse(status.body)).toEqual({ error: 'no probe cycle has finished yet' });
  });

  it('drops the series of a host that left the MX set after the next cycle', async () => {
    const both = report(
      [
        attempt({ port: 25, result: 'filtered' }),
        attempt({ port: 25, result: 'filtered', host: 'mx2.example.test', address: '192.0.2.20' }),
      ],
      'egress-blocked',
    );
    const one = report([attempt({ port: 25, result: 'filtered' })], 'egress-blocked');
    const h = await start((cycle) => Promise.resolve(cycle === 1 ? both : one), {
      config: config({ listen: `127.0.0.1:${await freePort()}`, intervalMs: 30 }),
    });
    await until(() => finished(h) === 1);
    expect((await text(`${h.base}/metrics`)).body).toContain('host="mx2.example.test"');
    await until(() => finished(h) >= 2);
    const body = (await text(`${h.base}/metrics`)).body;
    expect(body).not.toContain('mx2.example.test');
    expect(body).toContain('host="mx1.example.test"');
  });

  it('refuses to start on an address already in use, naming it', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const listen = `127.0.0.1:${(blocker.address() as AddressInfo).port}`;
    const attempt = runDaemon({
      config: config({ listen }),
      reloadConfig: () => Promise.resolve(config()),
      log: createLogger({ level: 'error', format: 'json', write: () => undefined }),
      runPass: () => Promise.resolve(allOpenReport()),
      signals: new EventEmitter(),
    });
    await expect(attempt).rejects.toThrow(
      new ConfigError([
        `--web.listen-address ${listen}: cannot listen: the address is already in use`,
      ]),
    );
    blocker.close();
  });
});

describe('daemon loop', () => {
  it('never runs two cycles at once, even when a cycle outlasts the interval', async () => {
    let active = 0;
    let most = 0;
    const h = await start(
      async () => {
        active += 1;
        most = Math.max(most, active);
        await new Promise((resolve) => setTimeout(resolve, 60));
        active -= 1;
        return allOpenReport();
      },
      { config: config({ listen: `127.0.0.1:${await freePort()}`, intervalMs: 10 }) },
    );
    await until(() => finished(h) >= 4);
    expect(most).toBe(1);
  });

  it('logs each change of a port status or diagnosis once, and one summary per cycle', async () => {
    const sequence = [port25BlockedReport(), port25BlockedReport(), allOpenReport()];
    const h = await start((cycle) => Promise.resolve(sequence[Math.min(cycle, 3) - 1]!), {
      config: config({ listen: `127.0.0.1:${await freePort()}`, intervalMs: 20 }),
    });
    await until(() => finished(h) >= 3);
    const events = h.logs.filter(
      (l) => l.level === 'info' && l.cycle !== undefined && Number(l.cycle) <= 3,
    );
    expect(
      events.map((l) => [l.cycle, l.msg, l.port ?? null, l.from ?? null, l.to ?? null]),
    ).toEqual([
      [1, 'port status changed', 25, null, 'filtered'],
      [1, 'port status changed', 587, null, 'open'],
      [1, 'diagnosis changed', null, null, 'port25-blocked'],
      [1, 'probe cycle finished', null, null, null],
      [2, 'probe cycle finished', null, null, null],
      [3, 'port status changed', 25, 'filtered', 'open'],
      [3, 'diagnosis changed', null, 'port25-blocked', 'ok'],
      [3, 'probe cycle finished', null, null, null],
    ]);
    expect(events[3]).toMatchObject({
      attempts: 3,
      reachable: 1,
      filtered: 2,
      ports: { '25': 'filtered', '587': 'open' },
      diagnosis: 'port25-blocked',
    });
  });

  it('keeps serving the last good cycle when a cycle fails, and logs the fault', async () => {
    const h = await start(
      (cycle) =>
        cycle === 1 ? Promise.resolve(port25BlockedReport()) : Promise.reject(new Error('boom')),
      {
        config: config({ listen: `127.0.0.1:${await freePort()}`, intervalMs: 20 }),
      },
    );
    await until(() => h.logs.some((l) => l.msg === 'probe cycle failed'));
    expect(h.logs.find((l) => l.msg === 'probe cycle failed')).toMatchObject({
      level: 'error',
      error: { message: 'boom' },
    });
    expect((await text(`${h.base}/metrics`)).body).toContain(
      'mxprobe_diagnosis{code="port25-blocked"} 1',
    );
  });

  it('calls afterCycle after every cycle, with its attempts, or none when it failed', async () => {
    const events: string[] = [];
    const h = await start(
      (cycle) => {
        events.push(`cycle ${cycle}`);
        return cycle === 2
          ? Promise.reject(new Error('boom'))
          : Promise.resolve(port25BlockedReport());
      },
      {
        config: config({ listen: `127.0.0.1:${await freePort()}`, intervalMs: 20 }),
        afterCycle: (attempts) => events.push(`collect ${attempts ?? 'failed'}`),
      },
    );
    await until(() => events.filter((e) => e.startsWith('collect')).length >= 3);
    await h.stop();
    expect(events.slice(0, 6)).toEqual([
      'cycle 1',
      `collect ${port25BlockedReport().attempts.length}`,
      'cycle 2',
      'collect failed',
      'cycle 3',
      `collect ${port25BlockedReport().attempts.length}`,
    ]);
  });
});

describe('daemon signals', () => {
  it('SIGHUP with a good config: the next cycle probes the new targets', async () => {
    const listen = `127.0.0.1:${await freePort()}`;
    const next = config({
      listen,
      targets: [{ kind: 'host', name: 'smtp.example.test', ports: [587] }],
    });
    const h = await start(() => Promise.resolve(allOpenReport()), {
      config: config({ listen, intervalMs: 200 }),
      reloadConfig: () => Promise.resolve({ ...next, intervalMs: 200 }),
    });
    await until(() => finished(h) === 1);
    h.signals.emit('SIGHUP');
    await until(() => h.configs.length === 2);
    expect(h.configs[1]!.targets).toEqual(next.targets);
    expect(h.logs.some((l) => l.msg === 'config reloaded')).toBe(true);
  });

  it('SIGHUP with a bad config: logs the problem and keeps the running config', async () => {
    const initial = config({
      listen: `127.0.0.1:${await freePort()}`,
      intervalMs: 100,
      targets: [{ kind: 'domain', name: 'example.test', ports: [25] }],
    });
    const h = await start(() => Promise.resolve(allOpenReport()), {
      config: initial,
      reloadConfig: () =>
        Promise.reject(
          new ConfigError(['/etc/mxprobe/config.yaml:3: interval: expected a duration such as 5m']),
        ),
    });
    await until(() => finished(h) === 1);
    h.signals.emit('SIGHUP');
    await until(() => h.logs.some((l) => String(l.msg).startsWith('config reload failed')));
    expect(h.logs.find((l) => l.level === 'error')).toMatchObject({
      msg: 'config reload failed; the running config stays in force',
      error: '/etc/mxprobe/config.yaml:3: interval: expected a duration such as 5m',
    });
    await until(() => h.configs.length === 2);
    expect(h.configs[1]).toBe(initial);
  });

  it('SIGHUP with an interval below the floor is refused', async () => {
    const initial = config({
      listen: `127.0.0.1:${await freePort()}`,
      intervalMs: 60_000,
      minIntervalMs: 60_000,
    });
    // What the CLI's reload does with a file whose interval is below the floor.
    const h = await start(() => Promise.resolve(allOpenReport()), {
      config: initial,
      reloadConfig: () =>
        Promise.resolve().then(() =>
          parseConfig('interval: 1s\ntargets: [{host: 127.0.0.1}]\n', '/etc/mxprobe/config.yaml'),
        ),
    });
    await until(() => finished(h) === 1);
    h.signals.emit('SIGHUP');
    await until(() => h.logs.some((l) => l.level === 'error'));
    expect(h.logs.find((l) => l.level === 'error')).toMatchObject({
      error:
        '/etc/mxprobe/config.yaml:1: interval: expected at least 1m (the floor that keeps mxprobe from hammering mail providers), got "1s"',
    });
    expect((await text(`${h.base}/metrics`)).body).toContain('mxprobe_cycle_interval_seconds 60');
  });

  it.each(['SIGTERM', 'SIGINT'] as const)(
    '%s aborts the cycle in flight, closes the server and resolves',
    async (signal) => {
      let aborted = false;
      const h = await start(async (_cycle, abort) => {
        try {
          return await never(abort);
        } finally {
          aborted = abort.aborted;
        }
      });
      await until(() => h.configs.length === 1);
      const started = Date.now();
      h.signals.emit(signal);
      await h.done;
      expect(Date.now() - started).toBeLessThan(1_500);
      expect(aborted).toBe(true);
      await expect(fetch(`${h.base}/healthz`)).rejects.toThrow();
      expect(h.logs.at(-1)).toMatchObject({ msg: 'mxprobe daemon stopped' });
    },
  );

  it('SIGTERM leaves behind a cycle that ignores its abort, within the grace', async () => {
    const h = await start(() => new Promise<Report>(() => undefined));
    await until(() => h.configs.length === 1);
    const started = Date.now();
    h.signals.emit('SIGTERM');
    await h.done;
    expect(Date.now() - started).toBeLessThan(3_000);
  });
});

describe('fleet settings', () => {
  it('splay: the first cycle waits its random share of the splay, /status says so meanwhile', async () => {
    const started = Date.now();
    const h = await start(() => Promise.resolve(allOpenReport()), {
      config: config({
        listen: `127.0.0.1:${await freePort()}`,
        intervalMs: 60_000,
        // Half of it, 2 s, leaves a loaded machine time to ask /status before the cycle.
        splayMs: 4_000,
      }),
      random: () => 0.5,
    });
    expect(h.logs.find((l) => l.msg === 'first probe cycle after a random splay')).toMatchObject({
      delayMs: 2_000,
    });
    expect((await text(`${h.base}/status`)).status).toBe(503);
    expect((await text(`${h.base}/healthz`)).status).toBe(200);
    expect(finished(h)).toBe(0);
    await until(() => finished(h) === 1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_000);
    expect((await text(`${h.base}/status`)).status).toBe(200);
  });

  it('metrics.runtime false: only mxprobe series, no Node.js or process series', async () => {
    const lines = async (runtime: boolean): Promise<string[]> => {
      const h = await start(() => Promise.resolve(allOpenReport()), {
        config: config({
          listen: `127.0.0.1:${await freePort()}`,
          metrics: { runtime },
        }),
      });
      await until(() => finished(h) === 1);
      const body = (await text(`${h.base}/metrics`)).body;
      await h.stop();
      return body.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
    };
    const withRuntime = await lines(true);
    const without = await lines(false);
    expect(withRuntime.some((l) => l.startsWith('nodejs_'))).toBe(true);
    expect(withRuntime.some((l) => l.startsWith('process_'))).toBe(true);
    expect(without.length).toBeGreaterThan(0);
    expect(without.filter((l) => !l.startsWith('mxprobe_'))).toEqual([]);
    // The same mxprobe series either way (values aside): only the runtime ones go.
    const series = (all: string[]): string[] =>
      all.filter((l) => l.startsWith('mxprobe_')).map((l) => l.slice(0, l.lastIndexOf(' ')));
    expect(series(without)).toEqual(series(withRuntime));
  });
});

/** GET /healthz on node:http, whose own timers stay real while the daemon's clock is faked. */
function healthz(base: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    get(`${base}/healthz`, { agent: false }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

/** SIGTERM, then fake time moves until the daemon is gone (the stop grace, the server's close). */
async function stopOnFakeTime(h: Harness): Promise<void> {
  let stopped = false;
  const done = h.done.finally(() => (stopped = true));
  h.signals.emit('SIGTERM');
  const deadline = performance.now() + 5_000;
  while (!stopped && performance.now() < deadline) await vi.advanceTimersByTimeAsync(500);
  await done;
}

describe('daemon liveness', () => {
  // The deadline and the stall limit are minutes long: the daemon's clock (its timers and
  // Date) is faked and moved by the test; sockets, the HTTP server and the polling stay real.
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  });
  // Before the outer afterEach: a daemon left running by a failed test stops on fake time too.
  afterEach(async () => {
    for (const h of running.splice(0)) await stopOnFakeTime(h);
    vi.useRealTimers();
  });

  it('aborts a cycle that outlasts its deadline, logs it, and the loop goes on', async () => {
    let abortedAt: number | undefined;
    const h = await start((cycle, signal) => {
      if (cycle > 1) return Promise.resolve(allOpenReport());
      signal.addEventListener('abort', () => (abortedAt = Date.now()));
      return never(signal);
    });
    const startedAt = Date.now();
    await until(() => h.configs.length === 1);
    await vi.advanceTimersByTimeAsync(59_000);
    expect(abortedAt).toBeUndefined();
    expect(h.logs.filter((l) => l.level === 'error')).toEqual([]);
    await vi.advanceTimersByTimeAsync(2_000);
    // The interval is 1m: the deadline is the interval or 1m, whichever is longer.
    expect(abortedAt! - startedAt).toBe(60_000);
    await until(() => finished(h) === 1);
    expect(h.logs.filter((l) => l.level === 'error')).toMatchObject([
      { msg: 'probe cycle exceeded its deadline and was aborted', cycle: 1, deadlineMs: 60_000 },
    ]);
    expect(h.logs.find((l) => l.msg === 'probe cycle finished')).toMatchObject({ cycle: 2 });
    await stopOnFakeTime(h);
  });

  it('/healthz turns 503 when no cycle has finished for 3 intervals plus a minute', async () => {
    const h = await start((_cycle, signal) => never(signal));
    await until(() => h.configs.length === 1);
    expect(await healthz(h.base)).toEqual({ status: 200, body: 'ok\n' });
    await vi.advanceTimersByTimeAsync(239_000);
    expect(await healthz(h.base)).toEqual({ status: 200, body: 'ok\n' });
    await vi.advanceTimersByTimeAsync(2_000);
    expect(await healthz(h.base)).toEqual({
      status: 503,
      body: 'unhealthy: no probe cycle finished in the last 241s\n',
    });
    await stopOnFakeTime(h);
  });

  it('/healthz stays 200 long past that limit while cycles keep finishing', async () => {
    const h = await start(() => Promise.resolve(allOpenReport()));
    const startedAt = Date.now();
    for (let cycle = 1; cycle <= 6; cycle += 1) {
      await until(() => finished(h) >= cycle);
      await vi.advanceTimersByTimeAsync(60_000);
    }
    expect(Date.now() - startedAt).toBeGreaterThan(300_000);
    expect(await healthz(h.base)).toEqual({ status: 200, body: 'ok\n' });
    await stopOnFakeTime(h);
  });

  it('/healthz says 503 while shutting down, before the server closes', async () => {
    // A cycle that ignores its abort: shutdown waits out its grace with the server still open.
    const h = await start(() => new Promise<Report>(() => undefined));
    await until(() => h.configs.length === 1);
    expect(await healthz(h.base)).toEqual({ status: 200, body: 'ok\n' });
    h.signals.emit('SIGTERM');
    expect(await healthz(h.base)).toEqual({ status: 503, body: 'unhealthy: shutting down\n' });
    await stopOnFakeTime(h);
    await expect(healthz(h.base)).rejects.toThrow();
  });
});
