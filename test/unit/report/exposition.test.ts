import { Gauge, Registry, type RegistryContentType } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { joinFamilies, renderGaugeFamily } from '../../../src/report/gauge-text.js';
import type { Sample } from '../../../src/report/series.js';

/** What prom-client writes for the same gauge. */
async function promClient(name: string, help: string, samples: Sample[], openMetrics: boolean) {
  const registry = new Registry<RegistryContentType>();
  if (openMetrics) registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  const labelNames = [...new Set(samples.flatMap((s) => Object.keys(s.labels)))];
  const gauge = new Gauge({ name, help, labelNames, registers: [registry] });
  // A gauge without labels starts at 0 in prom-client; mxprobe shows no value instead.
  gauge.remove({});
  for (const { labels, value } of samples) gauge.set(labels, value);
  return registry.metrics();
}

describe('renderGaugeFamily writes what prom-client writes', () => {
  const cases: [string, Sample[]][] = [
    ['no series', []],
    ['one series without labels', [{ labels: {}, value: 1795428002.5 }]],
    [
      'label values that need escaping',
      [
        { labels: { target: 'a"b', host: 'c\\d', address: 'e\nf' }, value: 1 },
        { labels: { target: 'ünïcødé', host: 'h', address: '2001:db8::1' }, value: 0.04 },
      ],
    ],
    [
      'special values',
      [
        { labels: { k: 'nan' }, value: Number.NaN },
        { labels: { k: 'inf' }, value: Number.POSITIVE_INFINITY },
        { labels: { k: 'neg' }, value: Number.NEGATIVE_INFINITY },
        { labels: { k: 'zero' }, value: 0 },
      ],
    ],
    [
      'the same labels twice: one series, first place, last value',
      [
        { labels: { k: 'a' }, value: 1 },
        { labels: { k: 'b' }, value: 2 },
        { labels: { k: 'a' }, value: 3 },
      ],
    ],
  ];
  it.each(cases)('%s', async (_what, samples) => {
    const help = 'Help with a \\ backslash and a\nnewline.';
    for (const format of ['prometheus', 'openmetrics'] as const) {
      const ours = joinFamilies(
        [renderGaugeFamily({ name: 'mxprobe_test', help, samples })],
        format,
      );
      expect(ours).toBe(await promClient('mxprobe_test', help, samples, format === 'openmetrics'));
    }
  });
});
