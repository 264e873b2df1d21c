// docs/reference.md, "Metrics": the mapping Report → series (pure), the exposition a scraper reads (golden
// files), and the rules a fleet relies on: state sets always complete, vanished attempts gone.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Metrics } from '../../../src/report/metrics.js';
import { countProbes, seriesFromReport } from '../../../src/report/series.js';
import {
  allOpenReport,
  attempt,
  port25BlockedReport,
  report,
} from '../../helpers/report-fixtures.js';

const FIXTURES = join(import.meta.dirname, '../../fixtures');
const FINISHED = new Date('2026-11-23T10:00:02.000Z');
/** UPDATE_GOLDEN=1 rewrites the golden files from this build, for a change meant to alter them. */
const UPDATE_GOLDEN = process.env.UPDATE_GOLDEN === '1';
const IN_CI = process.env.CI === 'true' || process.env.CI === '1';

function newMetrics(): Metrics {
  return new Metrics({
    version: '0.1.0',
    revision: '0123456789ab',
    nodejs: 'v20.0.0',
    processMetrics: false,
  });
}

/** The sample lines of one metric in a text exposition. */
function samples(exposition: string, name: string): string[] {
  return exposition
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `));
}

describe('seriesFromReport', () => {
  it('gives every attempt all four result series, 1 for its result and 0 for the others', () => {
    const series = seriesFromReport(port25BlockedReport());
    const v6on25 = series.probeResult.filter((s) => s.labels.address === '2001:db8::10');
    expect(v6on25).toEqual([
      {
        labels: {
          target: 'example.test',
          host: 'mx1.example.test',
          address: '2001:db8::10',
          port: '25',
          result: 'reachable',
        },
        value: 0,
      },
      {
        labels: {
          target: 'example.test',
          host: 'mx1.example.test',
          address: '2001:db8::10',
          port: '25',
          result: 'blocked',
        },
        value: 0,
      },
      {
        labels: {
          target: 'example.test',
          host: 'mx1.example.test',
          address: '2001:db8::10',
          port: '25',
          result: 'filtered',
        },
        value: 1,
      },
      {
        labels: {
          target: 'example.test',
          host: 'mx1.example.test',
          address: '2001:db8::10',
          port: '25',
          result: 'error',
        },
        value: 0,
      },
    ]);
    expect(series.probeResult).toHaveLength(12);
  });

  it('reports attempt durations in seconds', () => {
    const series = seriesFromReport(port25BlockedReport());
    expect(series.probeDuration.map((s) => [s.labels.address, s.labels.port, s.value])).toEqual([
      ['192.0.2.10', '25', 2.5],
      ['2001:db8::10', '25', 2.5],
      ['192.0.2.10', '587', 0.04],
    ]);
  });

  it.each([
    ['port25-blocked', port25BlockedReport(), { '25': 'filtered', '587': 'open' }],
    ['ok', allOpenReport(), { '25': 'open', '587': 'open' }],
  ] as const)(
    'makes complete state sets of port status and diagnosis (%s)',
    (code, input, current) => {
      const series = seriesFromReport(input);
      expect(series.diagnosis.filter((s) => s.value === 1).map((s) => s.labels.code)).toEqual([
        code,
      ]);
      expect(series.diagnosis.map((s) => s.labels.code).sort()).toEqual([
        'dns-failed',
        'egress-blocked',
        'ok',
        'partial',
        'port25-blocked',
        'port25-refused',
      ]);
      for (const [port, status] of Object.entries(current)) {
        const states = series.portStatus.filter((s) => s.labels.port === port);
        expect(states).toHaveLength(5);
        expect(states.filter((s) => s.value === 1).map((s) => s.labels.status)).toEqual([status]);
      }
    },
  );

  it('keeps the earliest certificate expiry per target, host and port', () => {
    const tls = (validTo: string) => ({
      protocol: 'TLSv1.3',
      authorized: true,
      authorizationError: null,
      subject: 'CN=smtp',
      validTo,
    });
    const series = seriesFromReport(
      report(
        [
          attempt({
            port: 465,
            result: 'reachable',
            host: 'smtp.example.test',
            tls: tls('2027-01-10T00:00:00.000Z'),
          }),
          attempt({
            port: 465,
            result: 'reachable',
            host: 'smtp.example.test',
            address: '192.0.2.11',
            tls: tls('2026-12-01T00:00:00.000Z'),
          }),
          attempt({ port: 25, result: 'filtered' }),
        ],
        'ok',
      ),
    );
    expect(series.tlsCertExpiry).toEqual([
      {
        labels: { target: 'example.test', host: 'smtp.example.test', port: '465' },
        value: Date.parse('2026-12-01T00:00:00Z') / 1000,
      },
    ]);
  });

  it('labels the environment with the cloud and region, never with subscription or VM ids', () => {
    const series = seriesFromReport(
      report([], 'dns-failed', {
        environment: {
          cloud: 'azure',
          hostname: 'vm1',
          families: {},
          azure: {
            subscriptionId: '00000000-0000-0000-0000-000000000000',
            location: 'westeurope',
            vmId: 'abc',
          },
        },
      }),
    );
    expect(series.environmentInfo).toEqual([
      { labels: { cloud: 'azure', region: 'westeurope' }, value: 1 },
    ]);
  });

  it('reports relays as up only when they verified', () => {
    const relay = (name: string, status: 'ok' | 'auth-failed') => ({
      name,
      host: 'relay.example.test',
      port: 587,
      status,
      reason: null,
      durationMs: 10,
    });
    const series = seriesFromReport(
      report([], 'ok', { relays: [relay('acs', 'ok'), relay('sendgrid', 'auth-failed')] }),
    );
    expect(series.relayUp).toEqual([
      { labels: { relay: 'acs' }, value: 1 },
      { labels: { relay: 'sendgrid' }, value: 0 },
    ]);
    expect(series.relayVerifyDuration).toEqual([
      { labels: { relay: 'acs' }, value: 0.01 },
      { labels: { relay: 'sendgrid' }, value: 0.01 },
    ]);
  });
});

describe('countProbes', () => {
  it('counts attempts by port, result and reason', () => {
    expect(countProbes(port25BlockedReport().attempts)).toEqual([
      { labels: { port: '25', result: 'filtered', reason: 'timeout' }, value: 2 },
      { labels: { port: '587', result: 'reachable', reason: 'greeting' }, value: 1 },
    ]);
  });
});

describe('Metrics exposition', () => {
  it('matches the golden files in both formats', async () => {
    // Compared with what it has just written, the test would pass whatever the exposition says.
    if (UPDATE_GOLDEN && IN_CI) throw new Error('UPDATE_GOLDEN=1 is for a developer, never CI');
    for (const [format, file] of [
      ['prometheus', 'metrics.prom'],
      ['openmetrics', 'metrics.openmetrics.txt'],
    ] as const) {
      const metrics = newMetrics();
      metrics.setIntervalMs(300_000);
      metrics.record(port25BlockedReport(), FINISHED);
      const { body } = await metrics.render(format);
      const path = join(FIXTURES, file);
      if (UPDATE_GOLDEN) writeFileSync(path, body);
      expect(body).toBe(readFileSync(path, 'utf8'));
    }
  });

  it('drops the series of an attempt that is no longer made after the next cycle', async () => {
    const metrics = newMetrics();
    metrics.record(port25BlockedReport(), FINISHED);
    expect((await metrics.render('prometheus')).body).toContain('address="2001:db8::10"');
    metrics.record(
      report(
        [attempt({ port: 25, result: 'filtered' }), attempt({ port: 587, result: 'reachable' })],
        'port25-blocked',
      ),
      FINISHED,
    );
    const { body } = await metrics.render('prometheus');
    expect(body).not.toContain('2001:db8::10');
    expect(samples(body, 'mxprobe_probe_result')).toHaveLength(8);
  });

  it('keeps counting attempts and cycles across cycles', async () => {
    const metrics = newMetrics();
    metrics.record(port25BlockedReport(), FINISHED);
    metrics.record(port25BlockedReport(), FINISHED);
    const { body } = await metrics.render('prometheus');
    expect(samples(body, 'mxprobe_probes_total')).toEqual([
      'mxprobe_probes_total{port="25",result="filtered",reason="timeout"} 4',
      'mxprobe_probes_total{port="587",result="reachable",reason="greeting"} 2',
    ]);
    expect(samples(body, 'mxprobe_cycle_duration_seconds_count')).toEqual([
      'mxprobe_cycle_duration_seconds_count 2',
    ]);
  });

  it('serves build info but no probe series before the first cycle', async () => {
    const { body } = await newMetrics().render('prometheus');
    expect(samples(body, 'mxprobe_build_info')).toEqual([
      'mxprobe_build_info{version="0.1.0",revision="0123456789ab",nodejs="v20.0.0"} 1',
    ]);
    expect(samples(body, 'mxprobe_probe_result')).toEqual([]);
    expect(samples(body, 'mxprobe_last_cycle_timestamp_seconds')).toEqual([]);
  });

  it('keeps the counter name in the text format after an OpenMetrics scrape', async () => {
    const metrics = newMetrics();
    metrics.record(port25BlockedReport(), FINISHED);
    const open = await metrics.render('openmetrics');
    expect(open.contentType).toMatch(/^application\/openmetrics-text; version=1\.0\.0/);
    expect(open.body.endsWith('# EOF\n')).toBe(true);
    expect(open.body).toContain('# TYPE mxprobe_probes counter');
    const text = await metrics.render('prometheus');
    expect(text.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(text.body).toContain('# TYPE mxprobe_probes_total counter');
  });

  it('adds the process metrics when asked (the daemon)', async () => {
    const metrics = new Metrics({ version: '0.1.0', nodejs: 'v20.0.0', processMetrics: true });
    const { body } = await metrics.render('prometheus');
    expect(body).toMatch(/^process_cpu_seconds_total \d/m);
    expect(body).toMatch(/^nodejs_eventloop_lag_seconds \d/m);
    expect(body).toMatch(/^mxprobe_build_info\{/m);
    const open = (await metrics.render('openmetrics')).body;
    expect(open.match(/# EOF/g)).toHaveLength(1);
    expect(open.endsWith('# EOF\n')).toBe(true);
    expect(open).toMatch(/^process_cpu_seconds_total \d/m);
  });

  it('keeps the process metrics live between cycles while the probe series stay as recorded', async () => {
    const metrics = new Metrics({ version: '0.1.0', nodejs: 'v20.0.0', processMetrics: true });
    metrics.record(port25BlockedReport(), FINISHED);
    const cpu = (body: string) => Number(/^process_cpu_seconds_total (\S+)/m.exec(body)?.[1]);
    const first = (await metrics.render('prometheus')).body;
    const spinUntil = performance.now() + 30;
    while (performance.now() < spinUntil); // burn some CPU
    const second = (await metrics.render('prometheus')).body;
    expect(cpu(second)).toBeGreaterThan(cpu(first));
    const probeLines = (body: string) => body.split('\n').filter((l) => l.startsWith('mxprobe_'));
    expect(probeLines(second)).toEqual(probeLines(first));
  });

  it('shows a new interval at the next scrape', async () => {
    const metrics = newMetrics();
    metrics.setIntervalMs(300_000);
    expect(
      samples((await metrics.render('prometheus')).body, 'mxprobe_cycle_interval_seconds'),
    ).toEqual(['mxprobe_cycle_interval_seconds 300']);
    metrics.setIntervalMs(60_000);
    expect(
      samples((await metrics.render('prometheus')).body, 'mxprobe_cycle_interval_seconds'),
    ).toEqual(['mxprobe_cycle_interval_seconds 60']);
  });
});
