// The words about the sender's reputation (CONTRACT §4 `port25-refused`, §10): what the
// refusing servers said, which zone lists an egress address and where to ask for delisting,
// which PTR record is missing and who sets it, and the hints these findings raise. Pure.
// Every piece of network text (greetings, TXT records, PTR names) is escaped on its way in.

import { DELIVERY_PORT } from '../ports.js';
import { knownZone, refusedReason } from '../reputation/zones.js';
import type { Attempt, EgressAddress, EgressReport, Hint } from '../types.js';
import { printable } from '../util/printable.js';

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

/** What the egress findings say to do: delisting, PTR records, zones that would not answer. */
export function reputationAdvice(
  egress: EgressReport | undefined,
  ptrAdvice: Readonly<Record<string, string>> = {},
): string[] {
  return (egress?.addresses ?? []).flatMap((a) => [
    ...a.dnsbl.filter((d) => d.status === 'listed').map((d) => listedAdvice(a, d)),
    ...ptrFindingAdvice(a, ptrAdvice[a.address]),
    ...a.dnsbl.filter((d) => d.status === 'refused').map((d) => refusedZoneAdvice(a, d)),
  ]);
}

/** The advice of `port25-refused`: the findings, or how to find them, and the relay meanwhile. */
export function refusedAdvice(
  egress: EgressReport | undefined,
  ptrAdvice: Readonly<Record<string, string>> | undefined,
  relays: { name: string; status: string }[],
): string[] {
  const findings = reputationAdvice(egress, ptrAdvice);
  const addresses = egress?.addresses ?? [];
  const general =
    addresses.length === 0
      ? [
          'No server named the address this machine sends from, and it has no public source address of its own (a NAT sits in between): set reputation.egressAddresses to the public address so that mxprobe checks its PTR record and the blocklists.',
        ]
      : findings.length === 0
        ? [
            `No configured blocklist lists ${addresses.map((a) => a.address).join(' or ')} and its PTR record is in order: the receivers refuse it by their own reputation data. The refusal texts name the way to appeal (large providers have sender support forms); a fresh cloud address often needs time and a steady, low volume of wanted mail.`,
          ]
        : [];
  const working = relays.filter((r) => r.status === 'ok').map((r) => r.name);
  const relay =
    working.length > 0
      ? `Meanwhile, send through the configured relay ${working.join(', ')}, which works: receivers then judge the relay's address, not this one.`
      : "Meanwhile, send through an authenticated relay on port 587 or 465 (your mail provider, or a service such as Amazon SES, SendGrid or Mailgun): receivers then judge the relay's address, not this one.";
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

function listedAdvice(a: EgressAddress, d: EgressAddress['dnsbl'][number]): string {
  const known = knownZone(d.zone);
  const codes = d.codes?.length ? ` (${d.codes.join(', ')})` : '';
  const text = d.text ? `: "${printable(d.text)}"` : '';
  const page = known?.delisting ?? urlIn(d.text) ?? "the zone operator's web site";
  const meaning = known ? ` ${known.name}: ${known.meaning}.` : '';
  return `${a.address} is listed in ${d.zone}${codes}${text}.${meaning} Find and stop what sent unwanted mail from this address (or, for a new address, its previous holder's), then ask for removal at ${page}.`;
}

function ptrFindingAdvice(a: EgressAddress, whoSetsIt: string | undefined): string[] {
  const how = whoSetsIt ? ` ${whoSetsIt}` : '';
  if (a.ptr.status === 'none') {
    return [
      `${a.address} has no PTR record (reverse DNS): Gmail, Outlook and most large receivers refuse or junk mail from an address without one.${how}`,
    ];
  }
  if (a.ptr.status === 'mismatch') {
    const names = a.ptr.names.map(printable).join(', ');
    return [
      `The PTR name of ${a.address} (${names}) does not resolve back to it: receivers want forward-confirmed reverse DNS, so give that name an ${a.family === 4 ? 'A' : 'AAAA'} record for ${a.address}, or point the PTR at a name that has one.${how}`,
    ];
  }
  return [];
}

function refusedZoneAdvice(a: EgressAddress, d: EgressAddress['dnsbl'][number]): string {
  const code = d.codes?.[0] ?? '';
  const why = refusedReason(d.zone, code) ?? 'the zone refused the query';
  const page = knownZone(d.zone)?.delisting;
  return `${d.zone} did not answer for ${a.address} (${code}: ${why}), so whether it lists the address is unknown here: query it through a resolver of your own rather than a large public one (dnsServers)${page ? `, or look the address up at ${page}` : ''}.`;
}

/** The first http(s) URL in a zone's TXT text, where many zones put their lookup page. */
function urlIn(text: string | undefined): string | undefined {
  const url = /https?:\/\/[^\s"'<>]+/.exec(text ?? '')?.[0];
  return url === undefined ? undefined : printable(url);
}
