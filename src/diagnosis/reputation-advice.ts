// The words about the sender's reputation (CONTRACT §4 `port25-refused`, §10): what the
// refusing servers said, which zone lists an egress address and where to ask for delisting,
// which PTR record is missing and who sets it, and the hints these findings raise. Pure.
// Every piece of network text (greetings, TXT records, PTR names) is escaped on its way in.

import { DELIVERY_PORT } from '../ports.js';
import { knownZone, refusedReason } from '../reputation/zones.js';
import type {
  Attempt,
  DnsblFinding,
  DnsblStatus,
  EgressAddress,
  EgressReport,
  Hint,
} from '../types.js';
import { printable } from '../util/printable.js';
import { relayWay, STANDARD_RELAY_PORTS } from '../util/relay-words.js';

/** Port-25 greetings that refused this machine, each text once, in the order they came. */
export function refusalTexts(counted: Attempt[]): string[] {
  const texts = counted
    .filter((a) => a.port === DELIVERY_PORT && a.reason === 'rejected' && a.greeting)
    .map((a) => a.greeting ?? '');
  return [...new Set(texts)];
}

/** The summary of `port25-refused`: the path works, the receivers refuse, in their words. */
export function refusedSummary(on25: Attempt[], howOthersFailed: string): string {
  const texts = refusalTexts(on25);
  const rejected = on25.filter((a) => a.reason === 'rejected').length;
  const first = texts[0] ?? '';
  const others =
    texts.length > 1
      ? ` (and ${texts.length - 1} other refusal ${texts.length === 2 ? 'text' : 'texts'})`
      : '';
  const rest = rejected < on25.length ? ` The other port-25 attempts: ${howOthersFailed}.` : '';
  return `Port 25 is open on the path — ${rejected} ${rejected === 1 ? 'connection was' : 'connections were'} answered by mail servers — but they refuse this machine: "${printable(first)}"${others}. This is the sending address's reputation, not a network block: no firewall or provider setting on port 25 will change it.${rest}`;
}

/**
 * What the egress findings say to do: delisting (per zone), the missing PTR records (all
 * addresses at once, with who sets them here), mismatched PTR names, zones that would not answer.
 */
export function reputationAdvice(egress: EgressReport | undefined, whoSetsPtr?: string): string[] {
  const addresses = egress?.addresses ?? [];
  const byZone = (status: DnsblStatus): Map<string, ZoneFinding[]> => {
    const zones = new Map<string, ZoneFinding[]>();
    for (const a of addresses) {
      for (const d of a.dnsbl.filter((f) => f.status === status)) {
        zones.set(d.zone, [...(zones.get(d.zone) ?? []), { address: a.address, finding: d }]);
      }
    }
    return zones;
  };
  const noPtr = addresses.filter((a) => a.ptr.status === 'none').map((a) => a.address);
  return [
    ...[...byZone('listed')].map(([zone, found]) => listedAdvice(zone, found)),
    ...(noPtr.length > 0 ? [noPtrAdvice(noPtr, whoSetsPtr)] : []),
    ...addresses
      .filter((a) => a.ptr.status === 'mismatch')
      .map((a) => mismatchAdvice(a, whoSetsPtr)),
    ...[...byZone('refused')].map(([zone, found]) => refusedZoneAdvice(zone, found)),
  ];
}

/** The advice of `port25-refused`: the findings, or how to find them, and the relay meanwhile. */
export function refusedAdvice(
  egress: EgressReport | undefined,
  whoSetsPtr: string | undefined,
  relays: { name: string; status: string }[],
  relayPorts: readonly number[] = STANDARD_RELAY_PORTS,
): string[] {
  const findings = reputationAdvice(egress, whoSetsPtr);
  const addresses = egress?.addresses ?? [];
  const general =
    addresses.length === 0
      ? [
          'No server named the address this machine sends from, and it has no public source address of its own (a NAT sits in between): set reputation.egressAddresses to the public address so that mxprobe checks its PTR record and the blocklists.',
        ]
      : findings.length === 0
        ? [
            `No configured blocklist lists ${addresses.map((a) => a.address).join(' or ')}, and ${addresses.length === 1 ? 'its PTR record is' : 'their PTR records are'} in order: the receivers refuse ${addresses.length === 1 ? 'it' : 'them'} by their own reputation data. The refusal texts name the way to appeal (large providers have sender support forms); a fresh cloud address often needs time and a steady, low volume of wanted mail.`,
          ]
        : [];
  const working = relays.filter((r) => r.status === 'ok').map((r) => r.name);
  const relay =
    working.length > 0
      ? `Meanwhile, send through the configured relay ${working.join(', ')}, which works: receivers then judge the relay's address, not this one.`
      : `Meanwhile, ${relayWay(relayPorts)} (your mail provider, or a service such as Amazon SES, SendGrid or Mailgun): receivers then judge the relay's address, not this one.`;
  return [...findings, ...general, relay];
}

/** `ptr-missing`, `ptr-mismatch`, `dnsbl-listed`: findings that do not change the code. */
export function reputationHints(egress: EgressReport | undefined): Hint[] {
  const addresses = egress?.addresses ?? [];
  const hints: Hint[] = [];
  if (addresses.some((a) => a.ptr.status === 'none')) hints.push('ptr-missing');
  if (addresses.some((a) => a.ptr.status === 'mismatch')) hints.push('ptr-mismatch');
  if (addresses.some((a) => a.dnsbl.some((d) => d.status === 'listed'))) hints.push('dnsbl-listed');
  return hints;
}

interface ZoneFinding {
  address: string;
  finding: DnsblFinding;
}

function listedAdvice(zone: string, found: ZoneFinding[]): string {
  const known = knownZone(zone);
  const codes = [...new Set(found.flatMap((f) => f.finding.codes ?? []))];
  const text = found.map((f) => f.finding.text).find((t) => t !== undefined);
  const quoted = text ? `: "${printable(text)}"` : '';
  const page = known?.delisting ?? urlIn(text) ?? "the zone operator's web site";
  const meaning = known ? ` ${known.name}: ${known.meaning}.` : '';
  const which = found.length === 1 ? 'this address' : 'these addresses';
  return `${andList(found.map((f) => f.address))} ${found.length === 1 ? 'is' : 'are'} listed in ${zone}${codes.length > 0 ? ` (${codes.join(', ')})` : ''}${quoted}.${meaning} Find and stop what sent unwanted mail from ${which} (or, for a new address, its previous holder's), then ask for removal at ${page}.`;
}

function noPtrAdvice(addresses: string[], whoSetsPtr: string | undefined): string {
  const one = addresses.length === 1;
  return `${andList(addresses)} ${one ? 'has' : 'have'} no PTR record (reverse DNS): Gmail, Outlook and most large receivers refuse or junk mail from an address without one.${whoSetsPtr ? ` ${whoSetsPtr}` : ''}`;
}

function mismatchAdvice(a: EgressAddress, whoSetsPtr: string | undefined): string {
  const names = a.ptr.names.map((name) => printable(name)).join(', ');
  return `The PTR name of ${a.address} (${names}) does not resolve back to it: receivers want forward-confirmed reverse DNS, so give that name an ${a.family === 4 ? 'A' : 'AAAA'} record for ${a.address}, or point the PTR at a name that has one.${whoSetsPtr ? ` ${whoSetsPtr}` : ''}`;
}

function refusedZoneAdvice(zone: string, found: ZoneFinding[]): string {
  const code = found[0]?.finding.codes?.[0] ?? '';
  const why = refusedReason(zone, code) ?? 'the zone refused the query';
  const page = knownZone(zone)?.delisting;
  return `${zone} did not answer for ${andList(found.map((f) => f.address))} (${code}: ${why}), so whether it lists ${found.length === 1 ? 'the address' : 'them'} is unknown here: query it through a resolver of your own rather than a large public one (dnsServers)${page ? `, or look the address up at ${page}` : ''}.`;
}

/** "a", "a and b", "a, b and c". */
function andList(items: string[]): string {
  return items.length <= 1
    ? (items[0] ?? '')
    : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1] ?? ''}`;
}

/** The first http(s) URL in a zone's TXT text, where many zones put their lookup page. */
function urlIn(text: string | undefined): string | undefined {
  const url = /https?:\/\/[^\s"'<>]+/.exec(text ?? '')?.[0];
  return url === undefined ? undefined : printable(url);
}
