// SPF evaluation, RFC 7208 check_host() (§4): the record of a domain, its mechanisms in order
// (all, include, a, mx, ptr, ip4, ip6, exists), redirect=, macros, and the limits that make a
// record a permerror — more than 10 terms that query DNS (§4.6.4: include, a, mx, ptr, exists,
// redirect), more than 10 MX or PTR names for one term, more than 2 void lookups (answers with
// no records, or NXDOMAIN). A DNS failure (timeout, SERVFAIL) makes it a temperror. The questions
// go through the DnsClient handed in; everything else is pure.

import { lookup, type DnsClient, type Lookup } from '../dns/client.js';
import { reverseName } from '../reputation/address.js';
import { canonicalAddress, expandIpv6, type IpAddress } from '../util/ip.js';
import { expandMacros } from './spf-macro.js';
import { isSpfRecord, parseSpfRecord, type Mechanism, type Qualifier } from './spf-record.js';
import type { SpfResult } from '../types.js';

export const SPF_MAX_LOOKUPS = 10;
export const SPF_MAX_VOID_LOOKUPS = 2;
export const SPF_MAX_NAMES_PER_TERM = 10;

export interface SpfQuery {
  ip: IpAddress;
  domain: string;
  /** The envelope sender; mxprobe checks `postmaster@<domain>` (§2.4). */
  sender: string;
  helo: string;
}

export interface SpfOutcome {
  result: SpfResult;
  detail: string;
}

/** Ends the evaluation: a permerror or temperror anywhere ends check_host() at the top. */
class SpfStop extends Error {
  constructor(readonly outcome: SpfOutcome) {
    super(outcome.detail);
  }
}

interface Evaluation {
  query: SpfQuery;
  dns: DnsClient;
  lookups: number;
  voids: number;
}

const QUALIFIER_RESULTS: Record<Qualifier, SpfResult> = {
  '+': 'pass',
  '-': 'fail',
  '~': 'softfail',
  '?': 'neutral',
};

export async function checkSpf(query: SpfQuery, dns: DnsClient): Promise<SpfOutcome> {
  const evaluation: Evaluation = { query, dns, lookups: 0, voids: 0 };
  try {
    return await checkHost(query.domain, evaluation);
  } catch (error) {
    if (error instanceof SpfStop) return error.outcome;
    throw error;
  }
}

async function checkHost(domain: string, e: Evaluation): Promise<SpfOutcome> {
  if (!isValidDomain(domain)) return { result: 'none', detail: `"${domain}" is not a domain name` };
  const answer = await lookup(() => e.dns.txt(domain));
  if (!answer.ok) {
    if (isVoid(answer)) return { result: 'none', detail: `${domain} has no SPF record` };
    throw stop('temperror', `the TXT lookup of ${domain} failed (${answer.status})`);
  }
  const records = answer.value.filter(isSpfRecord);
  if (records.length === 0) return { result: 'none', detail: `${domain} has no SPF record` };
  if (records.length > 1)
    throw stop('permerror', `${domain} publishes ${records.length} SPF records`);
  const parsed = parseSpfRecord(records[0] ?? '');
  if (!parsed.ok) throw stop('permerror', `${domain}: ${parsed.error}`);
  for (const mechanism of parsed.record.mechanisms) {
    if (await matches(mechanism, domain, e)) {
      return {
        result: QUALIFIER_RESULTS[mechanism.qualifier],
        detail: `${mechanism.text} in ${domain}`,
      };
    }
  }
  if (parsed.record.redirect === undefined) {
    return { result: 'neutral', detail: `no term of ${domain} matched` };
  }
  countLookup(e);
  const target = expand(parsed.record.redirect, domain, e);
  const redirected = await checkHost(target, e);
  if (redirected.result === 'none')
    throw stop('permerror', `redirect=${target}: ${redirected.detail}`);
  return redirected;
}

async function matches(m: Mechanism, domain: string, e: Evaluation): Promise<boolean> {
  const ip = e.query.ip;
  switch (m.name) {
    case 'all':
      return true;
    case 'ip4':
    case 'ip6':
      return (m.name === 'ip4') === (ip.family === 4) && inNetwork(ip, m.network ?? '', m);
    case 'include':
      return matchesInclude(expandFor(m, domain, e), e);
    case 'a':
      return matchesAddresses(await addressesOf(expandFor(m, domain, e), e, true), m, ip);
    case 'mx':
      return matchesMx(expandFor(m, domain, e), m, e);
    case 'ptr':
      return matchesPtr(expandFor(m, domain, e), e);
    case 'exists': {
      const name = expandFor(m, domain, e);
      const answer = await lookup(() => e.dns.a(name));
      return answered(answer, e).length > 0;
    }
    default: {
      const never: never = m.name;
      return never;
    }
  }
}

/** The mechanism's target name, its lookup counted (every caller queries DNS). */
function expandFor(m: Mechanism, domain: string, e: Evaluation): string {
  countLookup(e);
  return m.domain === undefined ? domain : expand(m.domain, domain, e);
}

async function matchesInclude(target: string, e: Evaluation): Promise<boolean> {
  const inner = await checkHost(target, e);
  switch (inner.result) {
    case 'pass':
      return true;
    case 'fail':
    case 'softfail':
    case 'neutral':
      return false;
    case 'temperror':
      throw new SpfStop(inner);
    case 'none':
    case 'permerror':
      throw stop('permerror', `include:${target}: ${inner.detail}`);
    default: {
      const never: never = inner.result;
      return never;
    }
  }
}

async function matchesMx(target: string, m: Mechanism, e: Evaluation): Promise<boolean> {
  const answer = await lookup(() => e.dns.mx(target));
  const exchanges = answered(answer, e).map((r) => r.exchange);
  if (exchanges.length > SPF_MAX_NAMES_PER_TERM) {
    throw stop('permerror', `mx:${target} has more than ${SPF_MAX_NAMES_PER_TERM} MX names`);
  }
  for (const exchange of exchanges) {
    if (matchesAddresses(await addressesOf(exchange, e, false), m, e.query.ip)) return true;
  }
  return false;
}

/** §5.5: the PTR names of the address that resolve back to it and lie within the target. */
async function matchesPtr(target: string, e: Evaluation): Promise<boolean> {
  const ip = e.query.ip;
  const answer = await lookup(() => e.dns.ptr(reverseName(ip)));
  if (!answer.ok) {
    if (isVoid(answer)) countVoid(e);
    return false; // §5.5: a failed PTR lookup is no match, not an error
  }
  const wanted = target.toLowerCase().replace(/\.$/, '');
  for (const raw of answer.value.slice(0, SPF_MAX_NAMES_PER_TERM)) {
    const name = raw.toLowerCase().replace(/\.$/, '');
    if (name !== wanted && !name.endsWith(`.${wanted}`)) continue;
    const forward = await lookup(() => (ip.family === 4 ? e.dns.a(name) : e.dns.aaaa(name)));
    if (forward.ok && forward.value.some((v) => canonicalAddress(v)?.address === ip.address))
      return true;
  }
  return false;
}

/** A and AAAA lookups as §5.3 and §5.4 do them: the address's own family. */
async function addressesOf(name: string, e: Evaluation, countVoids: boolean): Promise<string[]> {
  const ip = e.query.ip;
  const answer = await lookup(() => (ip.family === 4 ? e.dns.a(name) : e.dns.aaaa(name)));
  if (!answer.ok && isVoid(answer) && !countVoids) return [];
  return answered(answer, e);
}

function matchesAddresses(addresses: string[], m: Mechanism, ip: IpAddress): boolean {
  return addresses.some((a) => inNetwork(ip, a, m));
}

/** An answer's records; a void answer counts toward the limit, a failed one ends in temperror. */
function answered<T>(answer: Lookup<T[]>, e: Evaluation): T[] {
  if (answer.ok) {
    if (answer.value.length === 0) countVoid(e);
    return answer.value;
  }
  if (isVoid(answer)) {
    countVoid(e);
    return [];
  }
  throw stop('temperror', `a DNS lookup failed (${answer.status})`);
}

function isVoid(answer: { ok: false; status: string }): boolean {
  return answer.status === 'nxdomain' || answer.status === 'nodata';
}

function countLookup(e: Evaluation): void {
  e.lookups += 1;
  if (e.lookups > SPF_MAX_LOOKUPS) {
    throw stop('permerror', `more than ${SPF_MAX_LOOKUPS} DNS lookups (RFC 7208 §4.6.4)`);
  }
}

function countVoid(e: Evaluation): void {
  e.voids += 1;
  if (e.voids > SPF_MAX_VOID_LOOKUPS) {
    throw stop('permerror', `more than ${SPF_MAX_VOID_LOOKUPS} void lookups (RFC 7208 §4.6.4)`);
  }
}

function expand(spec: string, domain: string, e: Evaluation): string {
  const { sender, ip, helo } = e.query;
  const expanded = expandMacros(spec, { sender, domain, ip, helo });
  if (!expanded.ok) throw stop('permerror', `${domain}: ${expanded.error}`);
  return expanded.name;
}

function stop(result: SpfResult, detail: string): SpfStop {
  return new SpfStop({ result, detail });
}

/** Whether `ip` lies in `network` with the mechanism's prefix length for its family. */
export function inNetwork(
  ip: IpAddress,
  network: string,
  m: Pick<Mechanism, 'v4Bits' | 'v6Bits'>,
): boolean {
  const net = canonicalAddress(network);
  if (net === undefined || net.family !== ip.family) return false;
  const width = ip.family === 4 ? 32 : 128;
  const bits = BigInt(ip.family === 4 ? m.v4Bits : m.v6Bits);
  const shift = BigInt(width) - bits;
  return toBigInt(ip) >> shift === toBigInt(net) >> shift;
}

function toBigInt(ip: IpAddress): bigint {
  const hex =
    ip.family === 4
      ? ip.address
          .split('.')
          .map((o) => Number(o).toString(16).padStart(2, '0'))
          .join('')
      : expandIpv6(ip.address).join('');
  return BigInt(`0x${hex}`);
}

/** §4.3: a name with at least two labels, none empty or over 63 characters. */
function isValidDomain(name: string): boolean {
  const labels = name.replace(/\.$/, '').split('.');
  return (
    name.length <= 253 && labels.length >= 2 && labels.every((l) => l.length > 0 && l.length <= 63)
  );
}
