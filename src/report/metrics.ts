// Prometheus metrics (docs/reference.md, "Metrics"). A finished cycle's report is the only
// source, mapped to series by report/series.ts: the gauges
// are recomputed from the latest snapshot at scrape time (so series of attempts no longer made
// vanish by themselves), and the counter and histogram move in the same synchronous step that
// swaps the snapshot, so a scrape never sees half of one cycle and half of the next.
//
// prom-client fixes the exposition format per registry, and its OpenMetrics output renames
// counters in place; each format therefore gets its own registry with its own metric objects,
// both fed from the same snapshot.
//
// mxprobe's own series change only when a cycle is recorded (or the interval is set), so their
// text is rendered once per change and kept: with 2,000 attempts that is about a megabyte, far
// too much to rebuild on every scrape. The process metrics (CPU, memory, event loop) live in a
// registry of their own, rendered at each scrape in front of the kept text.

import {
  Counter,
  Gauge,
  Histogram,
  Registry,
  collectDefaultMetrics,
  type RegistryContentType,
} from 'prom-client';
import { environmentLabelNames } from '../clouds/registry.js';
import type { Report } from '../types.js';
import { countProbes, seriesFromReport, type ReportSeries, type Sample } from './series.js';

export type ExpositionFormat = 'prometheus' | 'openmetrics';

const LINT_FAILING_DEFAULT_METRICS = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

/** Cycles take from milliseconds (loopback) to about a minute (many silent ports). */
const CYCLE_BUCKETS_SECONDS = [0.1, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120];

export interface MetricsOptions {
  version: string;
  nodejs: string;
  /** The default process metrics (CPU, memory, event loop); off for the textfile collector. */
  processMetrics: boolean;
}

interface Snapshot {
  series: ReportSeries;
  finishedAtSeconds: number;
}

/** What the gauges read at scrape time. */
interface SharedState {
  latest: Snapshot | undefined;
  intervalSeconds: number | undefined;
}

interface Exposition {
  registry: Registry<RegistryContentType>;
  /** The process metrics, rendered at every scrape (the daemon only). */
  process: Registry<RegistryContentType> | undefined;
  probesTotal: Counter;
  cycleDuration: Histogram;
  /** mxprobe's series as text, until the next record() or setIntervalMs(). */
  rendered: Promise<string> | undefined;
}

export interface RenderedMetrics {
  contentType: string;
  body: string;
}

export class Metrics {
  private readonly state: SharedState = { latest: undefined, intervalSeconds: undefined };
  private readonly expositions: Record<ExpositionFormat, Exposition>;

  constructor(options: MetricsOptions) {
    this.expositions = {
      prometheus: buildExposition(Registry.PROMETHEUS_CONTENT_TYPE, this.state, options),
      openmetrics: buildExposition(Registry.OPENMETRICS_CONTENT_TYPE, this.state, options),
    };
  }

  /** Swaps in a finished cycle. Synchronous on purpose: no scrape can run in between. */
  record(report: Report, finishedAt: Date): void {
    this.state.latest = {
      series: seriesFromReport(report),
      finishedAtSeconds: finishedAt.getTime() / 1000,
    };
    const counts = countProbes(report.attempts);
    for (const exposition of Object.values(this.expositions)) {
      for (const { labels, value } of counts) exposition.probesTotal.inc(labels, value);
      exposition.cycleDuration.observe(report.durationMs / 1000);
      exposition.rendered = undefined;
    }
  }

  /** The daemon's configured interval, for the "no cycle for 3 intervals" alert. */
  setIntervalMs(intervalMs: number): void {
    this.state.intervalSeconds = intervalMs / 1000;
    for (const exposition of Object.values(this.expositions)) exposition.rendered = undefined;
  }

  async render(format: ExpositionFormat): Promise<RenderedMetrics> {
    const exposition = this.expositions[format];
    // prom-client reads every collect() synchronously when metrics() is called: the kept
    // text is one snapshot, never half of one cycle and half of the next.
    exposition.rendered ??= exposition.registry.metrics();
    const own = await exposition.rendered;
    const contentType = exposition.registry.contentType;
    if (exposition.process === undefined) return { contentType, body: own };
    return { contentType, body: joinExpositions(await exposition.process.metrics(), own, format) };
  }
}

/** Two expositions of one format as one: families in order, one `# EOF` at the end. Pure. */
export function joinExpositions(first: string, second: string, format: ExpositionFormat): string {
  if (format === 'openmetrics') return `${first.replace(/# EOF\n$/, '')}${second}`;
  return `${first.trimEnd()}\n\n${second}`;
}

function buildExposition(
  contentType: RegistryContentType,
  state: SharedState,
  options: MetricsOptions,
): Exposition {
  const registry = new Registry<RegistryContentType>();
  registry.setContentType(contentType);
  const registers = [registry];
  let processRegistry: Registry<RegistryContentType> | undefined;
  if (options.processMetrics) {
    processRegistry = new Registry<RegistryContentType>();
    processRegistry.setContentType(contentType);
    collectDefaultMetrics({ register: processRegistry });
    // Gauges named like counters fail `promtool check metrics`; nothing in mxprobe needs them.
    for (const name of LINT_FAILING_DEFAULT_METRICS) processRegistry.removeSingleMetric(name);
  }

  // A gauge whose series are exactly those of the latest snapshot.
  const snapshotGauge = (
    name: string,
    help: string,
    labelNames: string[],
    pick: (snapshot: Snapshot) => Sample[],
  ): void => {
    new Gauge({
      name,
      help,
      labelNames,
      registers,
      collect() {
        clear(this);
        if (state.latest === undefined) return;
        for (const { labels, value } of pick(state.latest)) this.set(labels, value);
      },
    });
  };

  snapshotGauge(
    'mxprobe_probe_result',
    'Latest result of each attempt: 1 for the result it had, 0 for the two others.',
    ['target', 'host', 'address', 'port', 'result'],
    (s) => s.series.probeResult,
  );
  snapshotGauge(
    'mxprobe_probe_duration_seconds',
    'How long the latest attempt to this address and port took.',
    ['target', 'host', 'address', 'port'],
    (s) => s.series.probeDuration,
  );
  snapshotGauge(
    'mxprobe_port_status',
    'Status of each probed port over all its attempts: 1 for the current status, 0 otherwise.',
    ['port', 'status'],
    (s) => s.series.portStatus,
  );
  snapshotGauge(
    'mxprobe_diagnosis',
    'Diagnosis of the latest cycle: 1 for the current code, 0 for the others.',
    ['code'],
    (s) => s.series.diagnosis,
  );
  snapshotGauge(
    'mxprobe_last_cycle_timestamp_seconds',
    'When the latest probe cycle finished, in seconds since the Unix epoch.',
    [],
    (s) => [{ labels: {}, value: s.finishedAtSeconds }],
  );
  snapshotGauge(
    'mxprobe_tls_cert_expiry_timestamp_seconds',
    'Expiry (notAfter) of the certificate seen on a TLS port, in seconds since the Unix epoch.',
    ['target', 'host', 'port'],
    (s) => s.series.tlsCertExpiry,
  );
  snapshotGauge(
    'mxprobe_relay_up',
    'Whether the relay verified (connect, TLS, AUTH) in the latest cycle.',
    ['relay'],
    (s) => s.series.relayUp,
  );
  snapshotGauge(
    'mxprobe_relay_verify_duration_seconds',
    'How long verifying the relay (connect, TLS, AUTH) took in the latest cycle.',
    ['relay'],
    (s) => s.series.relayVerifyDuration,
  );
  snapshotGauge(
    'mxprobe_environment_info',
    'The cloud this machine runs in (none outside a cloud); always 1.',
    environmentLabelNames(),
    (s) => s.series.environmentInfo,
  );
  new Gauge({
    name: 'mxprobe_cycle_interval_seconds',
    help: 'Configured time between probe cycles (the daemon only).',
    registers,
    collect() {
      clear(this);
      if (state.intervalSeconds !== undefined) this.set(state.intervalSeconds);
    },
  });
  new Gauge({
    name: 'mxprobe_build_info',
    help: 'Version of mxprobe and of Node.js; always 1.',
    labelNames: ['version', 'nodejs'],
    registers,
  }).set({ version: options.version, nodejs: options.nodejs }, 1);

  const probesTotal = new Counter({
    name: 'mxprobe_probes_total',
    help: 'Attempts made since start, by port, result and reason.',
    labelNames: ['port', 'result', 'reason'],
    registers,
  });
  const cycleDuration = new Histogram({
    name: 'mxprobe_cycle_duration_seconds',
    help: 'How long probe cycles take.',
    buckets: CYCLE_BUCKETS_SECONDS,
    registers,
  });
  return { registry, process: processRegistry, probesTotal, cycleDuration, rendered: undefined };
}

/**
 * Removes every series. A gauge without labels resets to 0 rather than to nothing, and a 0
 * "last cycle" (1970) or "interval" would set off the staleness alert: no value is the truth.
 */
function clear(gauge: Gauge): void {
  gauge.reset();
  gauge.remove({});
}
