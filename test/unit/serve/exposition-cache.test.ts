import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { ExpositionFormat } from '../../../src/report/metrics.js';
import { MetricsBodyCache } from '../../../src/serve/metrics-body-cache.js';

/** A metrics source that counts its renders and says which one a body came from. */
function source() {
  const s = {
    generation: 0,
    renders: 0,
    renderParts(format: ExpositionFormat) {
      s.renders += 1;
      return Promise.resolve({
        contentType: format === 'openmetrics' ? 'application/openmetrics-text' : 'text/plain',
        kept: `generation ${s.generation} ${'x'.repeat(10_000)}\n`,
        live: `render ${s.renders}\n`,
      });
    },
  };
  return s;
}

const text = (e: { chunks: readonly Buffer[] }): string => Buffer.concat(e.chunks).toString();

describe('MetricsBodyCache: what /metrics sends', () => {
  it('renders once per second at most, and at once after a new cycle', async () => {
    let now = 0;
    const metrics = source();
    const cache = new MetricsBodyCache(metrics, () => now);
    const body = async () => text(await cache.get('prometheus', false));
    expect(await body()).toMatch(/^generation 0 x+\nrender 1\n$/);
    now = 900;
    expect(await body()).toMatch(/^generation 0 x+\nrender 1\n$/);
    now = 1_000;
    expect(await body()).toMatch(/^generation 0 x+\nrender 2\n$/);
    metrics.generation = 1;
    expect(await body()).toMatch(/^generation 1 x+\nrender 3\n$/);
    expect(metrics.renders).toBe(3);
  });

  it("converts mxprobe's own series to bytes once per cycle, not once per rendering", async () => {
    let now = 0;
    const cache = new MetricsBodyCache(source(), () => now);
    const first = await cache.get('prometheus', false);
    now = 5_000;
    const later = await cache.get('prometheus', false);
    expect(later.chunks[1]).not.toBe(first.chunks[1]);
    expect(later.chunks[0]).toBe(first.chunks[0]);
  });

  it('gzips once for every scraper that accepts gzip; the bytes are the same text', async () => {
    const metrics = source();
    const cache = new MetricsBodyCache(metrics, () => 0);
    const plain = await cache.get('openmetrics', false);
    const first = await cache.get('openmetrics', true);
    const second = await cache.get('openmetrics', true);
    expect(plain).toMatchObject({ gzipped: false, contentType: 'application/openmetrics-text' });
    expect(first.gzipped).toBe(true);
    expect(first.chunks).toHaveLength(1);
    expect(first.chunks[0]!.length).toBeLessThan(text(plain).length / 10);
    expect(second.chunks[0]).toBe(first.chunks[0]);
    // One gzip stream (some clients, curl among them, read only the first of several).
    expect(gunzipSync(first.chunks[0]!).toString()).toBe(text(plain));
    expect(metrics.renders).toBe(1);
  });
});
