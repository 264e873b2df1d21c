// `mxprobe probe` without --once: a probe cycle at once, then one every interval (plus up to 10%
// jitter, so a fleet started together does not probe in step), never two at a time. A finished
// cycle is published in one synchronous step (metrics and /status together); a cycle cut short
// by shutdown or by its deadline is never published. SIGHUP (or POST /-/reload) re-reads the
// config and the web config together: both or neither take effect. SIGTERM and SIGINT stop the
// loop, abort in-flight attempts and close the HTTP server.

import type { Server } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { withCanaries } from '../canary/report.js';
import type { CanarySchedule } from '../canary/schedule.js';
import { DEFAULTS } from '../config/defaults.js';
import type { ProbeConfig, WebConfig } from '../config/types.js';
import type { Logger } from '../log.js';
import { buildInfo, VERSION } from '../package-root.js';
import type { PassOptions } from '../pass/run.js';
import { Metrics, type PreparedCycle } from '../report/metrics.js';
import type { Report } from '../types.js';
import { abandonAfterAbort } from '../util/abort.js';
import { Access } from './access.js';
import { MetricsBodyCache } from './metrics-body-cache.js';
import { closeServer, createHttpServer, listen } from './http-server.js';
import type { ReloadOutcome } from './routes.js';
import { cycleDelayMs, cycleSummary, describeChanges } from './cycle.js';
import { startDaemonCanaries } from './daemon-canaries.js';
import { applyTls } from './tls-listener.js';

/** A cycle that runs longer than its interval (or this, if longer) is aborted. */
const MIN_CYCLE_DEADLINE_MS = 60_000;
/** /healthz turns 503 when no cycle has finished for this many intervals. */
const STALL_INTERVALS = 3;
/** How long shutdown waits for a cycle to honour its abort before leaving it behind. */
const STOP_GRACE_MS = 2_000;

export type RunPass = (config: ProbeConfig, options: PassOptions) => Promise<Report>;

/** Where the daemon hears signals from: the process, or a test's emitter. */
export interface SignalSource {
  on(signal: NodeJS.Signals, listener: () => void): unknown;
  off(signal: NodeJS.Signals, listener: () => void): unknown;
}

export interface DaemonOptions {
  config: ProbeConfig;
  /** Re-reads the config file and re-applies the command-line flags (on SIGHUP). */
  reloadConfig: () => Promise<ProbeConfig>;
  /** The web config (--web.config.file): TLS, basic auth, headers; none: plain and open. */
  web?: WebConfig | undefined;
  /** Re-reads the web config on reload (absent: the web config never changes). */
  reloadWeb?: () => Promise<WebConfig | undefined>;
  log: Logger;
  /** The probe cycle; injectable so tests can hand in reports. */
  runPass?: RunPass;
  signals?: SignalSource;
  /** Source of jitter, in [0, 1). */
  random?: () => number;
  /** Told where the HTTP server listens (tests bind port 0 through it). */
  onListening?: (address: AddressInfo) => void;
  /**
   * Called after every cycle, finished or not, with its number of attempts (undefined when it
   * failed): the CLI keeps the heap lean there (heap.ts).
   */
  afterCycle?: (attempts: number | undefined) => void;
}

export async function runDaemon(options: DaemonOptions): Promise<void> {
  // Loaded here so that tests injecting runPass never pull in the network modules.
  const runPass = options.runPass ?? (await import('../pass/run.js')).runPass;
  await new Daemon(options, runPass).run();
}

class Daemon {
  private config: ProbeConfig;
  private web: WebConfig | undefined;
  private access: Access;
  private server: Server | undefined;
  private readonly log: Logger;
  private readonly metrics: Metrics;
  /** What /metrics sends: the rendered metrics as bytes, kept up to a second, gzipped once. */
  private readonly metricsBody: MetricsBodyCache;
  private readonly stopping = new AbortController();
  private latest: Report | undefined;
  /** When the loop last showed life: its start, then the end of each published cycle. */
  private lastProgressAt = Date.now();
  private cycleNumber = 0;
  private wake: (() => void) | undefined;
  private reloads: Promise<unknown> = Promise.resolve();
  /** The delivery canaries, on their own schedule; a cycle reads their latest runs. */
  private canaries: CanarySchedule | undefined;

  constructor(
    private readonly options: DaemonOptions,
    private readonly runPass: RunPass,
  ) {
    this.config = options.config;
    this.web = options.web;
    this.access = new Access(options.web);
    this.log = options.log;
    this.metrics = new Metrics({
      version: VERSION,
      revision: buildInfo().revision,
      nodejs: process.version,
      processMetrics: options.config.metrics.runtime,
    });
    this.metricsBody = new MetricsBodyCache(this.metrics);
    this.metrics.setIntervalMs(this.intervalMs());
  }

  async run(): Promise<void> {
    const server = createHttpServer(
      {
        metrics: (format, gzip) => this.metricsBody.get(format, gzip),
        latestReport: () => this.latest,
        unhealthyReason: () => this.unhealthyReason(),
        reload: () => this.requestReload('POST /-/reload'),
        lifecycleEnabled: () => this.config.enableLifecycle,
        access: () => this.access,
        version: VERSION,
        log: this.log,
      },
      this.web?.tls,
    );
    this.server = server;
    const address = await listen(server, this.config.listen);
    this.options.onListening?.(address);
    this.log.info('mxprobe daemon started', {
      version: VERSION,
      listen:
        address.family === 'IPv6'
          ? `[${address.address}]:${address.port}`
          : `${address.address}:${address.port}`,
      tls: this.web?.tls !== undefined,
      basicAuthUsers: this.web?.basicAuthUsers.size ?? 0,
      intervalMs: this.intervalMs(),
      targets: this.config.targets.length,
    });
    if (this.web !== undefined && this.web.basicAuthUsers.size > 0 && this.web.tls === undefined)
      this.log.warn('basic auth without TLS: passwords cross the network in the clear', {
        webConfig: this.web.source,
      });

    const signals = this.options.signals ?? process;
    const onHangup = (): void => {
      this.requestReload('SIGHUP').catch((error: unknown) =>
        this.log.error('config reload failed', { error }),
      );
    };
    const onTerminate = (signal: NodeJS.Signals) => (): void => this.stop(signal);
    const onTerm = onTerminate('SIGTERM');
    const onInt = onTerminate('SIGINT');
    signals.on('SIGHUP', onHangup);
    signals.on('SIGTERM', onTerm);
    signals.on('SIGINT', onInt);
    try {
      this.canaries = await startDaemonCanaries(this.config, this.log);
      await this.loop();
    } finally {
      signals.off('SIGHUP', onHangup);
      signals.off('SIGTERM', onTerm);
      signals.off('SIGINT', onInt);
      await this.canaries?.stop();
      await closeServer(server);
      this.log.info('mxprobe daemon stopped', { cycles: this.cycleNumber });
    }
  }

  private stop(signal: NodeJS.Signals): void {
    if (this.stopping.signal.aborted) return;
    this.log.info('stopping', { signal });
    this.stopping.abort(new Error(`stopped by ${signal}`));
    this.wake?.();
  }

  private async loop(): Promise<void> {
    const random = this.options.random ?? Math.random;
    const startedAt = Date.now();
    const splay = random();
    if (this.config.splayMs > 0) {
      this.log.info('first probe cycle after a random splay', {
        delayMs: Math.round(this.config.splayMs * splay),
      });
    }
    await this.waitUntil(() => startedAt + Math.round(this.config.splayMs * splay));
    while (!this.stopping.signal.aborted) {
      const cycleStartedAt = Date.now();
      const jitter = random();
      await this.cycle();
      await this.waitUntil(() => cycleStartedAt + cycleDelayMs(this.config, jitter));
    }
  }

  /** Sleeps until `at()`, re-read after every wake-up (a reload may move it), or the stop. */
  private async waitUntil(at: () => number): Promise<void> {
    for (;;) {
      const remaining = at() - Date.now();
      if (this.stopping.signal.aborted || remaining <= 0) return;
      await this.sleep(remaining);
    }
  }

  private async cycle(): Promise<void> {
    const config = this.config;
    const cycle = ++this.cycleNumber;
    const log = this.log.child({ cycle });
    const deadlineMs = Math.max(this.intervalMs(), MIN_CYCLE_DEADLINE_MS);
    // One controller per cycle, aborted by shutdown or by the deadline; both links are undone
    // when the cycle ends, so nothing of a cycle stays attached to the daemon's own signal.
    const cycleAbort = new AbortController();
    let pastDeadline = false;
    const deadline = setTimeout(() => {
      pastDeadline = true;
      cycleAbort.abort(new Error(`probe cycle exceeded its ${deadlineMs} ms deadline`));
    }, deadlineMs);
    const onStop = (): void => cycleAbort.abort(this.stopping.signal.reason);
    this.stopping.signal.addEventListener('abort', onStop, { once: true });
    const signal = cycleAbort.signal;
    let attempts: number | undefined;
    try {
      const report = await abandonAfterAbort(
        this.runPass(config, { signal, log, startsPerSecond: DEFAULTS.daemonStartsPerSecond }),
        this.stopping.signal,
        STOP_GRACE_MS,
      );
      // Attempts cut short by an abort would read as timeouts: such a cycle is no result.
      if (signal.aborted) throw signal.reason;
      attempts = report.attempts.length;
      // Thousands of series are written a slice at a time, while scrapes keep being answered;
      // then metrics and /status move together. The canaries' latest finished runs join the
      // report here: a canary still waiting on its mailbox never holds a cycle up.
      const withLatest = withCanaries(report, this.canaries?.latest() ?? []);
      const prepared = await this.metrics.prepare(withLatest, new Date());
      this.publish(prepared, log);
    } catch (error) {
      if (this.stopping.signal.aborted) return;
      if (pastDeadline)
        log.error('probe cycle exceeded its deadline and was aborted', { deadlineMs });
      else log.error('probe cycle failed', { error });
    } finally {
      clearTimeout(deadline);
      this.stopping.signal.removeEventListener('abort', onStop);
      this.options.afterCycle?.(attempts);
    }
  }

  /** Metrics and /status move together, in one synchronous step. */
  private publish(prepared: PreparedCycle, log: Logger): void {
    const { report } = prepared;
    const previous = this.latest;
    this.metrics.commit(prepared);
    this.latest = report;
    this.lastProgressAt = Date.now();

    for (const change of describeChanges(previous, report)) {
      if (change.kind === 'port')
        log.info('port status changed', { port: change.port, from: change.from, to: change.to });
      else
        log.info('diagnosis changed', {
          from: change.from,
          to: change.to,
          summary: change.summary,
        });
    }
    log.info('probe cycle finished', cycleSummary(report));
  }

  /** Reloads one at a time, in the order asked; resolves when this one is done. */
  private requestReload(trigger: string): Promise<ReloadOutcome> {
    const outcome = this.reloads.then(() => this.reload(trigger));
    // A reload that failed unexpectedly must not stop the ones after it.
    this.reloads = outcome.catch(() => undefined);
    return outcome;
  }

  private async reload(trigger: string): Promise<ReloadOutcome> {
    if (this.stopping.signal.aborted) return { ok: false, reason: 'mxprobe is shutting down' };
    this.log.info('reloading config', { trigger });
    let next: ProbeConfig;
    let nextWeb: WebConfig | undefined;
    try {
      [next, nextWeb] = await Promise.all([
        this.options.reloadConfig(),
        this.options.reloadWeb?.() ?? Promise.resolve(this.web),
      ]);
    } catch (error) {
      const reason = oneLine(error);
      this.log.error('config reload failed; the running config stays in force', { error: reason });
      return { ok: false, reason };
    }
    if ((nextWeb?.tls !== undefined) !== (this.web?.tls !== undefined)) {
      const reason = `${nextWeb?.source ?? 'the web config'}: tls_server_config is added or removed only on restart`;
      this.log.error('config reload failed; the running config stays in force', { error: reason });
      return { ok: false, reason };
    }
    if (next.listen.text !== this.config.listen.text) {
      this.log.warn('the listen address changes only on restart', {
        running: this.config.listen.text,
        configured: next.listen.text,
      });
    }
    if (next.metrics.runtime !== this.config.metrics.runtime) {
      this.log.warn('metrics.runtime changes only on restart', {
        running: this.config.metrics.runtime,
        configured: next.metrics.runtime,
      });
    }
    this.applyWeb(nextWeb);
    this.config = next;
    this.metrics.setIntervalMs(this.intervalMs());
    this.log.info('config reloaded', {
      intervalMs: this.intervalMs(),
      targets: next.targets.length,
    });
    // A sleeping loop re-times its next cycle against the new interval.
    this.wake?.();
    return { ok: true };
  }

  /** New users, headers and certificates apply to the next request and connection. */
  private applyWeb(next: WebConfig | undefined): void {
    if (next?.tls !== undefined) applyTls(this.server as HttpsServer, next.tls);
    this.web = next;
    this.access = new Access(next);
  }

  private unhealthyReason(): string | undefined {
    if (this.stopping.signal.aborted) return 'shutting down';
    const silentMs = Date.now() - this.lastProgressAt;
    const limitMs = STALL_INTERVALS * this.intervalMs() + MIN_CYCLE_DEADLINE_MS;
    if (silentMs > limitMs)
      return `no probe cycle finished in the last ${Math.round(silentMs / 1000)}s`;
    return undefined;
  }

  private intervalMs(): number {
    return Math.max(this.config.intervalMs, this.config.minIntervalMs);
  }

  /** Sleeps until the time is up, a reload re-times the loop, or the daemon stops. */
  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }
}

/** A reload's failure as one line: a config error's problems joined, no stack. */
function oneLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n').join('; ');
}
