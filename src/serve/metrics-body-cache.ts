// The rendered body of GET /metrics, kept between scrapes. With 2,000 attempts it is about a
// megabyte (50 KB gzipped): rebuilding it for every scrape would let a burst of scrapes stall the daemon and
// fill its memory. So mxprobe's own series are kept as bytes until the next cycle (or setting),
// the process metrics after them are rendered at most once per MAX_AGE_MS, and the whole is
// gzipped once per rendering for the scrapers that ask for gzip (Prometheus does), on libuv's
// thread pool, off the event loop. The process metrics are therefore up to a second old;
// mxprobe's own series are always the latest cycle's.

import { createGzip } from 'node:zlib';
import type { ExpositionFormat, ExpositionParts } from '../report/metrics.js';

/** How long rendered process metrics are sent again. */
export const MAX_AGE_MS = 1_000;
/** Fast, and the repetitive text shrinks about 18 times anyway. */
const GZIP_LEVEL = 1;

export interface MetricsRenderer {
  renderParts(format: ExpositionFormat): Promise<ExpositionParts>;
  /** Changes whenever mxprobe's own series change (a new cycle, a new setting). */
  readonly generation: number;
}

export interface MetricsBody {
  contentType: string;
  /** The body, in pieces to be sent one after the other. */
  chunks: readonly Buffer[];
  /** The body is gzipped (Content-Encoding: gzip). */
  gzipped: boolean;
}

interface Kept {
  generation: number;
  text: string;
  bytes: Buffer;
}

interface Rendered {
  renderedAt: number;
  generation: number;
  parts: Promise<{ contentType: string; kept: Buffer; live: Buffer }>;
  gzipped: Promise<Buffer> | undefined;
}

export class MetricsBodyCache {
  private readonly kept = new Map<ExpositionFormat, Kept>();
  private readonly rendered = new Map<ExpositionFormat, Rendered>();

  constructor(
    private readonly source: MetricsRenderer,
    private readonly now: () => number = () => performance.now(),
    private readonly maxAgeMs = MAX_AGE_MS,
  ) {}

  async get(format: ExpositionFormat, acceptsGzip: boolean): Promise<MetricsBody> {
    const entry = this.fresh(format);
    const { contentType, kept, live } = await entry.parts;
    if (!acceptsGzip) return { contentType, chunks: [kept, live], gzipped: false };
    entry.gzipped ??= gzipChunks([kept, live]);
    return { contentType, chunks: [await entry.gzipped], gzipped: true };
  }

  private fresh(format: ExpositionFormat): Rendered {
    const now = this.now();
    const { generation } = this.source;
    const entry = this.rendered.get(format);
    if (entry?.generation === generation && now - entry.renderedAt < this.maxAgeMs) return entry;
    const next: Rendered = {
      renderedAt: now,
      generation,
      parts: this.source.renderParts(format).then(({ contentType, kept, live }) => ({
        contentType,
        kept: this.keptBytes(format, generation, kept),
        live: Buffer.from(live),
      })),
      gzipped: undefined,
    };
    // A failed rendering is not kept: the next scrape tries again.
    next.parts.catch(() => {
      if (this.rendered.get(format) === next) this.rendered.delete(format);
    });
    this.rendered.set(format, next);
    return next;
  }

  /** The bytes of mxprobe's own series, converted once per generation. */
  private keptBytes(format: ExpositionFormat, generation: number, text: string): Buffer {
    const known = this.kept.get(format);
    if (known?.generation === generation && known.text === text) return known.bytes;
    const bytes = Buffer.from(text);
    this.kept.set(format, { generation, text, bytes });
    return bytes;
  }
}

/** One gzip stream over the chunks, compressed on the thread pool. */
function gzipChunks(chunks: readonly Buffer[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const gzip = createGzip({ level: GZIP_LEVEL });
    const out: Buffer[] = [];
    gzip.on('data', (chunk: Buffer) => out.push(chunk));
    gzip.once('end', () => resolve(Buffer.concat(out)));
    gzip.once('error', reject);
    for (const chunk of chunks) gzip.write(chunk);
    gzip.end();
  });
}
