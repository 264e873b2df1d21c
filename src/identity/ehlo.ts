// The EHLO name as receivers judge it (CONTRACT §11): a fully qualified name (not localhost,
// not a bare label, not an address literal), resolving to an egress address, and named by
// each egress address's PTR. Pure: the lookups arrive as answers.

import type { Lookup } from '../dns/client.js';
import { isFqdn } from '../util/host-name.js';
import { canonicalAddress } from '../util/ip.js';
import type { EgressAddress, EhloFinding } from '../types.js';

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
