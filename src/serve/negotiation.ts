// What a scraper asks for in its Accept and Accept-Encoding headers: both are lists of
// `token;q=value` ranked by quality (RFC 9110, 12.4.2), read by one parser. Pure.

import type { ExpositionFormat } from '../report/metrics.js';

const OPENMETRICS = 'application/openmetrics-text';

/**
 * Each listed token (lower case, parameters other than q dropped) with its quality: 1 when no q
 * is given, the highest when a token is listed twice; an entry whose q is not a number is left
 * out.
 */
export function qualities(header: string): Map<string, number> {
  const ranked = new Map<string, number>();
  for (const part of header.split(',')) {
    const [token = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    const qParam = params.find((p) => p.startsWith('q='));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    if (!Number.isFinite(q)) continue;
    ranked.set(token, Math.max(ranked.get(token) ?? 0, q));
  }
  return ranked;
}

/**
 * OpenMetrics when the Accept header ranks it at least as high as the text format (Prometheus
 * itself sends `application/openmetrics-text;version=1.0.0,...,text/plain;version=0.0.4;q=0.5`);
 * the classic text format otherwise, including when there is no Accept header.
 */
export function negotiateFormat(accept: string | undefined): ExpositionFormat {
  if (accept === undefined) return 'prometheus';
  const ranked = qualities(accept);
  const openMetricsQ = ranked.get(OPENMETRICS) ?? 0;
  const textQ = Math.max(...['text/plain', 'text/*', '*/*'].map((type) => ranked.get(type) ?? 0));
  return openMetricsQ > 0 && openMetricsQ >= textQ ? 'openmetrics' : 'prometheus';
}

/** Whether an Accept-Encoding header admits gzip (listed, or `*`, with a q above 0). */
export function acceptsGzip(header: string | undefined): boolean {
  if (header === undefined) return false;
  const ranked = qualities(header);
  const listed = ['gzip', 'x-gzip'].flatMap((coding) => ranked.get(coding) ?? []);
  const gzipQ = listed.length > 0 ? Math.max(...listed) : ranked.get('*');
  return (gzipQ ?? 0) > 0;
}
