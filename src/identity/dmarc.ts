// DMARC policy discovery (RFC 7489 §6.6.3, with DMARCbis' tree walk instead of a public suffix
// list): the record at _dmarc.<domain>, else at each parent up to (not including) the top-level
// domain; from a parent, the subdomain policy sp= applies when it is set. Pure.

import type { DmarcFinding } from '../types.js';

/** DMARCbis caps the walk at eight questions. */
export const DMARC_MAX_NAMES = 8;

/** The names asked, in order: the domain's own, then its parents', the TLD left out. */
export function dmarcNames(domain: string): string[] {
  const labels = domain.toLowerCase().replace(/\.$/, '').split('.');
  const names: string[] = [];
  for (let i = 0; i < labels.length - 1 && names.length < DMARC_MAX_NAMES; i += 1) {
    names.push(`_dmarc.${labels.slice(i).join('.')}`);
  }
  return names;
}

/** The one DMARC record among a name's TXT strings, if exactly one (§6.6.3: else none). */
export function dmarcRecord(txt: readonly string[]): string | undefined {
  const records = txt.filter((t) => /^v\s*=\s*DMARC1\s*(;|$)/i.test(t.trim()));
  return records.length === 1 ? records[0]?.trim() : undefined;
}

/** The policy a record sets for the domain (own record) or a subdomain (a parent's). */
export function dmarcFinding(record: string, ownRecord: boolean): DmarcFinding {
  const tags = new Map<string, string>();
  for (const part of record.split(';')) {
    const at = part.indexOf('=');
    if (at > 0)
      tags.set(
        part.slice(0, at).trim().toLowerCase(),
        part
          .slice(at + 1)
          .trim()
          .toLowerCase(),
      );
  }
  const stated = ownRecord ? tags.get('p') : (tags.get('sp') ?? tags.get('p'));
  // §6.6.3: a record with an invalid or absent p= is read as p=none.
  const policy = stated === 'reject' || stated === 'quarantine' ? stated : 'none';
  return { policy, record };
}
