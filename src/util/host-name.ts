// Host names as DNS writes them (any case, maybe a trailing dot) → one spelling to compare,
// store and print; the names a receiver accepts in EHLO. Pure.

import { canonicalAddress } from './ip.js';

/** `MX1.Example.COM.` → `mx1.example.com`. */
export function normalizeHostName(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** A name a receiver accepts in EHLO: two or more LDH labels, a TLD that is not all digits. */
export function isFqdn(name: string): boolean {
  const lower = name.toLowerCase().replace(/\.$/, '');
  const labels = lower.split('.');
  if (labels.length < 2 || lower.length > 253) return false;
  if (labels[0] === 'localhost' || labels.at(-1) === 'localdomain' || labels.at(-1) === 'local')
    return false;
  if (canonicalAddress(lower.replace(/^\[|\]$/g, '')) !== undefined) return false;
  return labels.every((l) => LABEL.test(l)) && !/^\d+$/.test(labels.at(-1) ?? '');
}
