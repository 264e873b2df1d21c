// The text of gauge families, written out directly in the Prometheus text format or OpenMetrics,
// byte for byte as prom-client writes them. The snapshot's gauges go through here rather than
// through prom-client's Gauge objects: for 2,000 attempts (8,000 series) prom-client takes
// about 150 ms to set and print them, long enough to stall the daemon's HTTP answers; this
// takes a few milliseconds. Pure.

import type { Labels, Sample } from './sample.js';

export type ExpositionFormat = 'prometheus' | 'openmetrics';

export interface GaugeFamily {
  name: string;
  help: string;
  samples: readonly Sample[];
}

/**
 * One family: `# HELP`, `# TYPE`, then a line per series (no trailing newline). Series with the
 * same labels are one series, at the position of the first and with the value of the last, as
 * in prom-client.
 */
export function renderGaugeFamily(family: GaugeFamily): string {
  const writer = new GaugeFamiliesWriter([family]);
  writer.step(Infinity);
  return writer.written[0] ?? '';
}

/**
 * Writes gauge families (as renderGaugeFamily does) a slice of series at a time, so that a
 * caller can let other work run between slices.
 */
export class GaugeFamiliesWriter {
  private readonly texts: string[] = [];
  private family = 0;
  private index = 0;
  /** Series of the current family by their labels (first place, last value). */
  private series = new Map<string, number>();
  /** While its lines are being written. */
  private writing: Iterator<[string, number]> | undefined;
  private lines: string[] = [];

  constructor(private readonly families: readonly GaugeFamily[]) {}

  /** Reads or writes up to `budget` more series; true while there is more to do. */
  step(budget: number): boolean {
    let left = budget;
    for (;;) {
      const family = this.families[this.family];
      if (family === undefined) return false;
      if (this.writing === undefined) {
        while (this.index < family.samples.length) {
          if (left <= 0) return true;
          left -= 1;
          const sample = family.samples[this.index] as Sample;
          this.index += 1;
          this.series.set(formatLabels(sample.labels), sample.value);
        }
        this.writing = this.series.entries();
      }
      for (;;) {
        if (left <= 0) return true;
        const next = this.writing.next();
        if (next.done === true) break;
        left -= 1;
        const [labels, value] = next.value;
        this.lines.push(`${family.name}${labels} ${formatValue(value)}`);
      }
      const head = `# HELP ${family.name} ${escapeText(family.help)}\n# TYPE ${family.name} gauge`;
      this.texts.push(this.lines.length === 0 ? head : `${head}\n${this.lines.join('\n')}`);
      this.series = new Map();
      this.writing = undefined;
      this.lines = [];
      this.index = 0;
      this.family += 1;
    }
  }

  /** The text of each family written so far, in order. */
  get written(): readonly string[] {
    return this.texts;
  }
}

/** Families (as renderGaugeFamily gives them) as one exposition in the format. */
export function joinFamilies(families: readonly string[], format: ExpositionFormat): string {
  const present = families.filter((f) => f !== '');
  return format === 'openmetrics' ? `${present.join('\n')}\n# EOF\n` : `${present.join('\n\n')}\n`;
}

/** A whole exposition (as prom-client renders a registry) back to its families' text. */
export function familiesOf(exposition: string, format: ExpositionFormat): string {
  return format === 'openmetrics'
    ? exposition.replace(/\n?# EOF\n$/, '')
    : exposition.replace(/\n$/, '');
}

function formatLabels(labels: Labels): string {
  let text = '';
  for (const name in labels) {
    const value = labels[name] ?? '';
    const escaped = NEEDS_ESCAPE.test(value) ? escapeText(value).replace(/"/g, '\\"') : value;
    text += `${text === '' ? '{' : ','}${name}="${escaped}"`;
  }
  return text === '' ? '' : `${text}}`;
}

/** Most values need no escaping: one test instead of three replacements each. */
const NEEDS_ESCAPE = /[\\\n"]/;

function escapeText(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'Nan';
  if (!Number.isFinite(value)) return value < 0 ? '-Inf' : '+Inf';
  return String(value);
}
