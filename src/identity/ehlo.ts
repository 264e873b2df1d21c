// The EHLO name as receivers judge it (CONTRACT §11): a fully qualified name (not localhost,
// not a bare label, not an address literal), resolving to an egress address, and named by
// each egress address's PTR. Pure: the lookups arrive as answers.

import type { Lookup } from '../dns/client.js';
import { canonicalAddress } from '../reputation/address.js';
import type { EgressAddress } from '../types.js';
import type { EhloFinding } from './types.js';

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

/** A/AAAA answers for the EHLO name; undefined when nothing was asked (no egress address). */
export interface EhloAnswers {
  a: Lookup<string[]>;
  aaaa: Lookup<string[]>;
}

/**
 * `not-fqdn` before anything else; `unresolvable` without any A/AAAA; `mismatch` when an
 * egress address is not among them or its PTR names another host; `ok` otherwise. With no
 * egress address known there is nothing to match, and only the form is judged.
 */
export function ehloVerdict(
  name: string,
  answers: EhloAnswers | undefined,
  egress: readonly EgressAddress[],
): EhloFinding {
  const ptrNames = [...new Set(egress.flatMap((e) => e.ptr.names))];
  if (!isFqdn(name)) return { status: 'not-fqdn', addresses: [], ptrNames };
  if (answers === undefined) return { status: 'ok', addresses: [], ptrNames };
  const addresses = [answers.a, answers.aaaa]
    .flatMap((l) => (l.ok ? l.value : []))
    .map((a) => canonicalAddress(a)?.address ?? a);
  if (addresses.length === 0) return { status: 'unresolvable', addresses, ptrNames };
  const wanted = name.toLowerCase().replace(/\.$/, '');
  const matches = egress.every(
    (e) => addresses.includes(e.address) && e.ptr.names.includes(wanted),
  );
  return { status: matches ? 'ok' : 'mismatch', addresses, ptrNames };
}

/**
 * This machine's fully qualified name as `hostname -f` finds it without DNS: the host name when
 * it has a dot, else a dotted alias of it in /etc/hosts (`127.0.1.1 vm1.example.com vm1`).
 */
export function machineFqdn(hostname: string, hostsText: string): string {
  if (hostname.includes('.')) return hostname;
  for (const line of hostsText.split('\n')) {
    const names = line.replace(/#.*/, '').trim().split(/\s+/).slice(1);
    if (!names.includes(hostname)) continue;
    const full = names.find((n) => n.startsWith(`${hostname}.`));
    if (full !== undefined) return full;
  }
  return hostname;
}
