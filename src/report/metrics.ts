// Prometheus metrics (docs/reference.md, "Metrics"). A finished cycle's report is the only
// source, mapped to series by report/series.ts: the gauges are the latest snapshot's (so series
// of attempts no longer made vanish by themselves), and the counter and histogram move in the
// same synchronous step that swaps the snapshot, so a scrape never sees half of one cycle and
// half of the next.
//
// mxprobe's own series change only when a cycle is recorded (or the interval is set), so their
// text is written once per change and kept: with 2,000 attempts it is about a megabyte, far too
// much to rebuild on every scrape. The snapshot's gauges are written by report/gauge-text.ts
// (prom-client needs ~150 ms for their 8,000 series); the counter, the histogram and the
// settings gauges stay prom-client's. The process metrics (CPU, memory, event loop) live in a
// registry of their own, rendered at each scrape in front of the kept text.
//
// prom-client fixes the exposition format per registry, and its OpenMetrics output renames
// counters in place; each format therefore gets its own registries with their own metric
// objects, fed from the same state.

import {
  Counter,
  Histogram,
  Registry,
  collectDefaultMetrics,
  type RegistryContentType,
} from 'prom-client';
import type { Report } from '../types.js';
import {
  familiesOf,
  GaugeFamiliesWriter,
  joinFamilies,
  renderGaugeFamily,
  type ExpositionFormat,
} from './gauge-text.js';
import { countProbes, seriesFromReport, type ReportSeries, type Sample } from './series.js';

export type { ExpositionFormat } from './gauge-text.js';

const LINT_FAILING_DEFAULT_METRICS = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

/** Cycles take from milliseconds (loopback) to about a minute (many silent ports). */
const CYCLE_BUCKETS_SECONDS = [0.1, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120];

export interface MetricsOptions {
  version: string;
  /** The git commit mxprobe was built from ("unknown" when not known). */
  revision?: string;
  nodejs: string;
  /** The default process metrics (CPU, memory, event loop); off for the textfile collector. */
  processMetrics: boolean;
}

interface Snapshot {
  series: ReportSeries;
  finishedAtSeconds: number;
}

/** What mxprobe's gauges are read from. */
interface State {
  latest: PreparedCycle | undefined;
  intervalSeconds: number | undefined;
  build: { version: string; revision: string; nodejs: string };
}

interface Gauge<T> {
  name: string;
  help: string;
  /** Exactly the series the gauge has. */
  pick: (from: T) => readonly Sample[];
}

/** The gauges of a finished cycle, in the order they are exposed. */
const CYCLE_GAUGES: readonly Gauge<Snapshot>[] = [
  {
    name: 'mxprobe_probe_result',
    help: 'Latest result of each attempt: 1 for the result it had, 0 for the others (error: a local failure).',
    pick: (s) => s.series.probeResult,
  },
  {
    name: 'mxprobe_probe_duration_seconds',
    help: 'How long the latest attempt to this address and port took.',
    pick: (s) => s.series.probeDuration,
  },
  {
    name: 'mxprobe_port_status',
    help: 'Status of each probed port over all its attempts: 1 for the current status, 0 otherwise.',
    pick: (s) => s.series.portStatus,
  },
  {
    name: 'mxprobe_diagnosis',
    help: 'Diagnosis of the latest cycle: 1 for the current code, 0 for the others.',
    pick: (s) => s.series.diagnosis,
  },
  {
    // No value before the first cycle: a 0 ("1970") would set off the staleness alert.
    name: 'mxprobe_last_cycle_timestamp_seconds',
    help: 'When the latest probe cycle finished, in seconds since the Unix epoch.',
    pick: (s) => [{ labels: {}, value: s.finishedAtSeconds }],
  },
  {
    name: 'mxprobe_tls_cert_expiry_timestamp_seconds',
    help: 'Expiry (notAfter) of the certificate seen on a TLS port, in seconds since the Unix epoch.',
    pick: (s) => s.series.tlsCertExpiry,
  },
  {
    name: 'mxprobe_relay_up',
    help: 'Whether the relay verified (connect, TLS, AUTH) in the latest cycle.',
    pick: (s) => s.series.relayUp,
  },
  {
    name: 'mxprobe_relay_verify_duration_seconds',
    help: 'How long verifying the relay (connect, TLS, AUTH) took in the latest cycle.',
    pick: (s) => s.series.relayVerifyDuration,
  },
  {
    name: 'mxprobe_egress_ptr_ok',
    help: 'Whether the egress address has a PTR record that resolves back to it (forward-confirmed reverse DNS).',
    pick: (s) => s.series.egressPtrOk,
  },
  {
    name: 'mxprobe_dnsbl_listed',
    help: 'Whether the DNSBL zone lists the egress address: 1 listed, 0 clean; no series when the zone refused the query or the lookup failed.',
    pick: (s) => s.series.dnsblListed,
  },
  {
    name: 'mxprobe_dnsbl_lookup_status',
    help: "Outcome of the egress address's lookup in the DNSBL zone: 1 for the current status (listed, clean, refused, error), 0 for the others.",
    pick: (s) => s.series.dnsblLookupStatus,
  },
  {
    name: 'mxprobe_ehlo_ok',
    help: 'Whether the EHLO name is a fully qualified name that resolves to the egress addresses and that their PTR records name (identity checks configured).',
    pick: (s) => s.series.ehloOk,
  },
  {
    name: 'mxprobe_spf_result',
    help: 'SPF result of the egress address for the sending domain: 1 for the current result (pass, fail, softfail, neutral, none, permerror, temperror), 0 for the others.',
    pick: (s) => s.series.spfResult,
  },
  {
    name: 'mxprobe_dmarc_policy',
    help: "The sending domain's DMARC policy: 1 for the current one (reject, quarantine, none, missing, error: the lookup failed), 0 for the others.",
    pick: (s) => s.series.dmarcPolicy,
  },
  {
    name: 'mxprobe_dkim_key_present',
    help: 'Whether a usable DKIM public key is published for the selector of the sending domain; no series when the lookup failed.',
    pick: (s) => s.series.dkimKeyPresent,
  },
  {
    name: 'mxprobe_canary_status',
    help: "Where the delivery canary's latest message went: 1 for its status (delivered, spam, lost, send-failed, imap-failed), 0 for the others.",
    pick: (s) => s.series.canaryStatus,
  },
  {
    name: 'mxprobe_canary_delivery_seconds',
    help: "Seconds from the relay's acceptance of the latest canary message to its arrival in the mailbox (delivered and spam only).",
    pick: (s) => s.series.canaryDeliverySeconds,
  },
  {
    name: 'mxprobe_canary_auth_result',
    help: "The receiver's Authentication-Results for the latest canary message: 1 for each method's result, 0 for the others.",
    pick: (s) => s.series.canaryAuthResult,
  },
  {
    name: 'mxprobe_environment_info',
    help: 'The cloud this machine runs in (none outside a cloud); always 1.',
    pick: (s) => s.series.environmentInfo,
  },
  {
    name: 'mxprobe_port_policy_blocked',
    help: "Whether the detected cloud's documented policy blocks this outbound port: 1 blocked, 0 not (probed ports); no series outside a cloud.",
    pick: (s) => s.series.portPolicyBlocked,
  },
];

/** The daemon's settings and build, exposed after the cycle's gauges. */
const SETTINGS_GAUGES: readonly Gauge<State>[] = [
  {
    name: 'mxprobe_cycle_interval_seconds',
    help: 'Configured time between probe cycles (the daemon only).',
    pick: (s) =>
      s.intervalSeconds === undefined ? [] : [{ labels: {}, value: s.intervalSeconds }],
  },
  {
    name: 'mxprobe_build_info',
    help: 'Version and git revision of mxprobe, and the Node.js version; always 1.',
    pick: (s) => [{ labels: { ...s.build }, value: 1 }],
  },
];

/** One exposition format's registries and metric objects, fed from the same state. */
interface FormatMetrics {
  contentType: string;
  /** prom-client's part of mxprobe's metrics: the counter and the histogram. */
  registry: Registry<RegistryContentType>;
  /** The process metrics, rendered at every scrape (the daemon only). */
  process: Registry<RegistryContentType> | undefined;
  probesTotal: Counter;
  cycleDuration: Histogram;
  /** mxprobe's families as text, until the next record() or setIntervalMs(). */
  kept: Promise<string> | undefined;
}

export interface RenderedMetrics {
  contentType: string;
  body: string;
}

/** A finished cycle ready to be swapped in: its report, and its gauges as text. */
export interface PreparedCycle {
  report: Report;
  /** One text per cycle gauge, in CYCLE_GAUGES order. */
  families: readonly string[];
}

/** Series written per turn of the event loop while a cycle is prepared (a few milliseconds). */
const SERIES_PER_TURN = 1_000;

export class Metrics {
  private readonly state: State;
  private readonly formats: Record<ExpositionFormat, FormatMetrics>;
  private changes = 0;

  constructor(options: MetricsOptions) {
    this.state = {
      latest: undefined,
      intervalSeconds: undefined,
      build: {
        version: options.version,
        revision: options.revision ?? 'unknown',
        nodejs: options.nodejs,
      },
    };
    this.formats = {
      prometheus: buildFormatMetrics(Registry.PROMETHEUS_CONTENT_TYPE, options),
      openmetrics: buildFormatMetrics(Registry.OPENMETRICS_CONTENT_TYPE, options),
    };
  }

  /**
   * Writes a finished cycle's gauges a slice at a time, yielding to the event loop between
   * slices: thousands of attempts never hold up a scrape. Nothing changes until commit().
   */
  async prepare(report: Report, finishedAt: Date): Promise<PreparedCycle> {
    const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
    await turn();
    const writer = new GaugeFamiliesWriter(cycleFamilies(report, finishedAt));
    await turn();
    while (writer.step(SERIES_PER_TURN)) await turn();
    return { report, families: writer.written };
  }

  /** Swaps in a prepared cycle. Synchronous on purpose: no scrape can run in between. */
  commit(cycle: PreparedCycle): void {
    this.state.latest = cycle;
    const counts = countProbes(cycle.report.attempts);
    for (const metrics of Object.values(this.formats)) {
      for (const { labels, value } of counts) metrics.probesTotal.inc(labels, value);
      metrics.cycleDuration.observe(cycle.report.durationMs / 1000);
      metrics.kept = undefined;
    }
    this.changes += 1;
  }

  /** Changes whenever mxprobe's own series do (a new cycle, a new interval). */
  get generation(): number {
    return this.changes;
  }

  /** Prepares and swaps in a finished cycle in one synchronous step (one-shot runs, tests). */
  record(report: Report, finishedAt: Date): void {
    const writer = new GaugeFamiliesWriter(cycleFamilies(report, finishedAt));
    writer.step(Infinity);
    this.commit({ report, families: writer.written });
  }

  /** The daemon's configured interval, for the "no cycle for 3 intervals" alert. */
  setIntervalMs(intervalMs: number): void {
    this.state.intervalSeconds = intervalMs / 1000;
    for (const metrics of Object.values(this.formats)) metrics.kept = undefined;
    this.changes += 1;
  }

  async render(format: ExpositionFormat): Promise<RenderedMetrics> {
    const { contentType, kept, live } = await this.renderParts(format);
    return { contentType, body: kept + live };
  }

  /**
   * The exposition in two parts that make it whole: mxprobe's series (`kept`: the same string
   * until the next cycle or setting, so a caller can keep its bytes) and then the process
   * metrics (`live`, rendered now; empty without them).
   */
  async renderParts(format: ExpositionFormat): Promise<ExpositionParts> {
    const metrics = this.formats[format];
    metrics.kept ??= this.ownFamilies(metrics, format);
    const kept = await metrics.kept;
    const live = metrics.process
      ? joinFamilies([familiesOf(await metrics.process.metrics(), format)], format)
      : '';
    return { contentType: metrics.contentType, kept, live };
  }

  /**
   * mxprobe's families, ended so that the process metrics (if any) can follow. The gauges are
   * read and prom-client's collect() is called in the same synchronous step: one snapshot,
   * never half of one cycle and half of the next.
   */
  private async ownFamilies(metrics: FormatMetrics, format: ExpositionFormat): Promise<string> {
    const families = [
      ...(this.state.latest?.families ?? EMPTY_CYCLE_FAMILIES),
      ...SETTINGS_GAUGES.map((g) =>
        renderGaugeFamily({ name: g.name, help: g.help, samples: g.pick(this.state) }),
      ),
      familiesOf(await metrics.registry.metrics(), format),
    ];
    if (metrics.process === undefined) return joinFamilies(families, format);
    const separator = format === 'openmetrics' ? '\n' : '\n\n';
    return `${families.join(separator)}${separator}`;
  }
}

export interface ExpositionParts {
  contentType: string;
  kept: string;
  live: string;
}

function cycleFamilies(report: Report, finishedAt: Date) {
  const snapshot: Snapshot = {
    series: seriesFromReport(report),
    finishedAtSeconds: finishedAt.getTime() / 1000,
  };
  return CYCLE_GAUGES.map((g) => ({ name: g.name, help: g.help, samples: g.pick(snapshot) }));
}

/** Before the first cycle: each cycle gauge with its HELP and TYPE, and no series. */
const EMPTY_CYCLE_FAMILIES = CYCLE_GAUGES.map((g) =>
  renderGaugeFamily({ name: g.name, help: g.help, samples: [] }),
);

function buildFormatMetrics(
  contentType: RegistryContentType,
  options: MetricsOptions,
): FormatMetrics {
  const registry = new Registry<RegistryContentType>();
  registry.setContentType(contentType);
  let processRegistry: Registry<RegistryContentType> | undefined;
  if (options.processMetrics) {
    processRegistry = new Registry<RegistryContentType>();
    processRegistry.setContentType(contentType);
    collectDefaultMetrics({ register: processRegistry });
    // Gauges named like counters fail `promtool check metrics`; nothing in mxprobe needs them.
    for (const name of LINT_FAILING_DEFAULT_METRICS) processRegistry.removeSingleMetric(name);
  }
  const probesTotal = new Counter({
    name: 'mxprobe_probes_total',
    help: 'Attempts made since start, by port, result and reason.',
    labelNames: ['port', 'result', 'reason'],
    registers: [registry],
  });
  const cycleDuration = new Histogram({
    name: 'mxprobe_cycle_duration_seconds',
    help: 'How long probe cycles take.',
    buckets: CYCLE_BUCKETS_SECONDS,
    registers: [registry],
  });
  return {
    contentType,
    registry,
    process: processRegistry,
    probesTotal,
    cycleDuration,
    kept: undefined,
  };
}
