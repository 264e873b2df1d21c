// DNSBL zones: the default list, what mxprobe knows about public zones (what a listing means,
// where to ask for delisting, which answers are the zone's "query refused" codes), and how one
// zone's answer for one address reads (RFC 5782 §2.1: a listing is an A record in 127.0.0.0/8,
// a clean address gets NXDOMAIN). Pure.
//
// Checked against the operators' own pages (2024–2026): Spamhaus public mirrors are free for
// low-volume, non-commercial use (under 100,000 SMTP connections and 300,000 queries a day) and
// answer 127.255.255.254 to queries that come through a public or open resolver, 127.255.255.255
// to excessive query volume, 127.255.255.252 to a mistyped zone; SpamCop and PSBL are free to
// query. SORBS shut down in June 2024; Barracuda's BRBL answers only registered resolvers.

import type { DnsblStatus } from '../types.js';
import type { Lookup } from '../dns/client.js';
import { normalizeHostName } from '../util/host-name.js';

export interface KnownZone {
  /** The zone, or the parent domain whose zones share this entry (`spamhaus.org`). */
  domain: string;
  /** Who runs it, as people call it. */
  name: string;
  /** What a listing there means, in a few words. */
  meaning: string;
  /** Where the owner of a listed address looks it up and asks for removal. */
  delisting: string;
  /** Answers that mean "this query was not answered here", never a listing; code → why. */
  refusedCodes: Readonly<Record<string, string>>;
}

export const KNOWN_ZONES: readonly KnownZone[] = [
  {
    domain: 'spamhaus.org',
    name: 'Spamhaus',
    meaning:
      'ZEN combines the SBL (spam sources), XBL/CSS (infected or abused hosts) and PBL (addresses that should not send mail directly)',
    delisting: 'https://check.spamhaus.org/',
    refusedCodes: {
      '127.255.255.252': 'the zone name is mistyped',
      '127.255.255.254':
        'the query came through a public or open resolver, which Spamhaus does not answer',
      '127.255.255.255': 'the resolver sent too many queries',
    },
  },
  {
    domain: 'bl.spamcop.net',
    name: 'SpamCop',
    meaning:
      'addresses that sent mail reported as spam by recipients; listings expire by themselves (about 24 hours after the last report)',
    delisting: 'https://www.spamcop.net/bl.shtml',
    refusedCodes: {},
  },
  {
    domain: 'psbl.surriel.com',
    name: 'PSBL',
    meaning: 'addresses that sent mail to spam traps; anyone can remove an address on its web page',
    delisting: 'https://psbl.org/',
    refusedCodes: {},
  },
  {
    domain: 'b.barracudacentral.org',
    name: 'Barracuda BRBL',
    meaning:
      'addresses seen sending spam by Barracuda appliances (queries only from registered resolvers)',
    delisting: 'https://www.barracudacentral.org/rbl/removal-request',
    refusedCodes: {},
  },
];

/** The table's entry for a zone: the zone itself or a zone under the entry's domain. */
export function knownZone(
  zone: string,
  zones: readonly KnownZone[] = KNOWN_ZONES,
): KnownZone | undefined {
  const name = normalizeHostName(zone);
  return zones.find((z) => name === z.domain || name.endsWith(`.${z.domain}`));
}

export interface DnsblVerdict {
  status: DnsblStatus;
  /** The A records that made the verdict (listing codes, or the refused codes). */
  codes: string[];
}

/**
 * One zone's answer for one address: `listed` (an A record in 127.0.0.0/8 that is not one of
 * the zone's refused codes), `refused` (only refused codes: the zone would not answer this
 * resolver, which says nothing about the address), `clean` (NXDOMAIN, or a name without an A
 * record), `error` (no answer, or answers outside 127.0.0.0/8, which no DNSBL gives: a
 * resolver that rewrites NXDOMAIN).
 */
export function dnsblVerdict(zone: string, answer: Lookup<string[]>): DnsblVerdict {
  if (!answer.ok) {
    const clean = answer.status === 'nxdomain' || answer.status === 'nodata';
    return { status: clean ? 'clean' : 'error', codes: [] };
  }
  const refused = knownZone(zone)?.refusedCodes ?? {};
  const loopback = [...new Set(answer.value)].filter((a) => /^127\.\d+\.\d+\.\d+$/.test(a));
  const listing = loopback.filter((a) => !(a in refused)).sort(compareAddresses);
  if (listing.length > 0) return { status: 'listed', codes: listing };
  if (loopback.length > 0) return { status: 'refused', codes: loopback.sort(compareAddresses) };
  return { status: answer.value.length === 0 ? 'clean' : 'error', codes: [] };
}

/** Why a zone refused (its table's words for the code), or undefined for an unknown code. */
export function refusedReason(zone: string, code: string): string | undefined {
  return knownZone(zone)?.refusedCodes[code];
}

function compareAddresses(a: string, b: string): number {
  const key = (s: string): number => s.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
  return key(a) - key(b);
}
