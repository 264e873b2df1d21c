// The DNS side of one egress address: its PTR names and their A/AAAA records, and its entry
// (A, then TXT when listed) in every configured DNSBL zone, all asked at once. Returns findings
// through the pure verdicts (ptr.ts, zones.ts); every failure is data, never an exception.

import { lookup, type DnsClient, type Lookup } from '../dns/client.js';
import type { DnsblFinding, EgressAddress } from '../types.js';
import { dnsblQueryName, reverseName } from './address.js';
import type { EgressCandidate } from './egress.js';
import { ptrNames, ptrVerdict } from './ptr.js';
import { dnsblVerdict } from './zones.js';

/** A TXT text longer than this is cut: it is a pointer to a web page, not a document. */
const MAX_TXT_CHARS = 512;

export async function lookUpAddress(
  candidate: EgressCandidate,
  zones: readonly string[],
  dns: DnsClient,
): Promise<EgressAddress> {
  const [ptr, dnsbl] = await Promise.all([
    lookUpPtr(candidate, dns),
    Promise.all(zones.map((zone) => lookUpZone(candidate, zone, dns))),
  ]);
  return {
    address: candidate.address,
    family: candidate.family,
    source: candidate.source,
    ptr,
    dnsbl,
  };
}

async function lookUpPtr(
  candidate: EgressCandidate,
  dns: DnsClient,
): Promise<EgressAddress['ptr']> {
  const ptr: Lookup<string[]> = await lookup(() => dns.ptr(reverseName(candidate)));
  const forward = new Map<string, Lookup<string[]>>();
  await Promise.all(
    ptrNames(ptr).map(async (name) => {
      const ask = candidate.family === 4 ? () => dns.a(name) : () => dns.aaaa(name);
      forward.set(name, await lookup(ask));
    }),
  );
  return ptrVerdict(candidate, ptr, forward);
}

async function lookUpZone(
  candidate: EgressCandidate,
  zone: string,
  dns: DnsClient,
): Promise<DnsblFinding> {
  const name = dnsblQueryName(candidate, zone);
  const verdict = dnsblVerdict(zone, await lookup(() => dns.a(name)));
  const finding: DnsblFinding = { zone, status: verdict.status };
  if (verdict.codes.length > 0) finding.codes = verdict.codes;
  if (verdict.status !== 'listed') return finding;
  // The reason and the delisting page, in the zone's own words (asked only for a listing).
  const txt = await lookup(() => dns.txt(name));
  const text = txt.ok ? txt.value.filter(Boolean).join(' ').slice(0, MAX_TXT_CHARS) : '';
  if (text !== '') finding.text = text;
  return finding;
}
