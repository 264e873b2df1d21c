// Requests to instance-metadata services, shared by every cloud module. Every failure
// (refused, timeout, non-2xx, redirect, too big, not JSON) is "no answer": detection must never
// throw, only conclude "not this cloud".

import type { MetadataContext } from './cloud.js';

interface Answer {
  body: string;
  /** The `Metadata-Flavor` response header (GCP proves itself with it). */
  flavor: string | null;
}

const MAX_BODY_CHARS = 64 * 1024;

/** One metadata request; null on any failure. */
export async function request(
  url: URL,
  init: { method: string; headers: Record<string, string> },
  ctx: MetadataContext,
): Promise<Answer | null> {
  try {
    const response = await ctx.fetch(url, {
      ...init,
      signal: ctx.signal,
      // Metadata services answer directly; a redirect is not one of them.
      redirect: 'error',
    });
    if (!response.ok) {
      await response.body?.cancel();
      return null;
    }
    const body = await response.text();
    if (body.length > MAX_BODY_CHARS) return null;
    return { body, flavor: response.headers.get('metadata-flavor') };
  } catch {
    return null;
  }
}

export async function getJson(
  url: URL,
  headers: Record<string, string>,
  ctx: MetadataContext,
): Promise<unknown> {
  const answer = await request(url, { method: 'GET', headers }, ctx);
  if (answer === null) return undefined;
  try {
    return JSON.parse(answer.body) as unknown;
  } catch {
    return undefined;
  }
}

export function field(value: unknown, key: string): unknown {
  if (typeof value !== 'object' || value === null) return undefined;
  return (value as Record<string, unknown>)[key];
}

export function stringField(value: unknown, key: string): string | null {
  const found = field(value, key);
  return typeof found === 'string' && found !== '' ? found : null;
}

export function safeUrl(text: string): URL | null {
  try {
    return new URL(text);
  } catch {
    return null;
  }
}

export function joinUrl(base: string, path: string): URL | null {
  return safeUrl(base.replace(/\/+$/, '') + path);
}

/** The strings of an array field, leaving out anything else. */
export function stringsOf(value: unknown): string[] {
  return Array.isArray(value)
    ? value.filter((v): v is string => typeof v === 'string' && v !== '')
    : [];
}

/** An address without its prefix length ("192.0.2.7/32" → "192.0.2.7"). */
export function withoutPrefix(address: string): string {
  return address.replace(/\/\d+$/, '');
}
