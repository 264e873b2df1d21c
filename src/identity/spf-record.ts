// An SPF record's terms (RFC 7208 §4.6, §5, §6), parsed before anything is evaluated: a syntax
// error anywhere makes the whole record a permerror (§4.6), whatever comes first. Pure.

import { isIP } from 'node:net';

export type Qualifier = '+' | '-' | '~' | '?';
export type MechanismName = 'all' | 'include' | 'a' | 'mx' | 'ptr' | 'ip4' | 'ip6' | 'exists';

export interface Mechanism {
  qualifier: Qualifier;
  name: MechanismName;
  /** The domain-spec (macro text, unexpanded) of include, a, mx, ptr, exists. */
  domain?: string;
  /** ip4/ip6: the network; a/mx: none. */
  network?: string;
  /** The prefix lengths of ip4/ip6/a/mx (defaults 32 and 128). */
  v4Bits: number;
  v6Bits: number;
  /** The term as written, for the finding's detail. */
  text: string;
}

export interface SpfRecord {
  mechanisms: Mechanism[];
  redirect?: string;
}

export type Parsed = { ok: true; record: SpfRecord } | { ok: false; error: string };

/** Whether a TXT string is an SPF record: `v=spf1` alone or followed by a space (§4.5). */
export function isSpfRecord(text: string): boolean {
  return /^v=spf1( |$)/i.test(text);
}

const MECHANISMS = new Set<string>(['all', 'include', 'a', 'mx', 'ptr', 'ip4', 'ip6', 'exists']);
const NEEDS_DOMAIN = new Set<string>(['include', 'exists']);
const MODIFIER = /^([a-z][a-z0-9_.-]*)=(.*)$/i;
const MECHANISM = /^([+\-~?]?)([a-z0-9]+)(?::([^/]*))?((?:\/\d+)?(?:\/\/\d+)?)$/i;

export function parseSpfRecord(text: string): Parsed {
  const terms = text.trim().split(/ +/).slice(1);
  const record: SpfRecord = { mechanisms: [] };
  let explanation = false;
  for (const term of terms) {
    const modifier = MODIFIER.exec(term);
    if (modifier !== null) {
      const name = (modifier[1] ?? '').toLowerCase();
      const value = modifier[2] ?? '';
      if (name === 'redirect' || name === 'exp') {
        const seen = name === 'redirect' ? record.redirect !== undefined : explanation;
        if (seen) return { ok: false, error: `more than one ${name}= modifier` };
        if (!isDomainSpec(value)) return { ok: false, error: `bad ${name}= domain "${value}"` };
        if (name === 'redirect') record.redirect = value;
        else explanation = true;
      }
      // Unknown modifiers are ignored (§6).
      continue;
    }
    const mechanism = parseMechanism(term);
    if (typeof mechanism === 'string') return { ok: false, error: mechanism };
    record.mechanisms.push(mechanism);
  }
  return { ok: true, record };
}

function parseMechanism(term: string): Mechanism | string {
  const match = MECHANISM.exec(term);
  const name = (match?.[2] ?? '').toLowerCase();
  if (match === null || !MECHANISMS.has(name)) return `unknown term "${term}"`;
  const qualifier = (match[1] || '+') as Qualifier;
  const argument = match[3];
  const cidr = /^(?:\/(\d+))?(?:\/\/(\d+))?$/.exec(match[4] ?? '');
  const v4 = cidr?.[1] === undefined ? 32 : Number(cidr[1]);
  const v6 = cidr?.[2] === undefined ? 128 : Number(cidr[2]);
  const base = { qualifier, name: name as MechanismName, v4Bits: v4, v6Bits: v6, text: term };
  switch (name) {
    case 'all':
      return argument === undefined && match[4] === '' ? base : `bad term "${term}"`;
    case 'ip4':
    case 'ip6': {
      const family = name === 'ip4' ? 4 : 6;
      const bits = family === 4 ? Number(cidr?.[1] ?? 32) : Number(cidr?.[1] ?? 128);
      const max = family === 4 ? 32 : 128;
      if (argument === undefined || isIP(argument) !== family || bits > max || cidr?.[2])
        return `bad network in "${term}"`;
      return {
        ...base,
        network: argument,
        v4Bits: family === 4 ? bits : 32,
        v6Bits: family === 6 ? bits : 128,
      };
    }
    default: {
      if (argument === undefined && NEEDS_DOMAIN.has(name)) return `"${term}" needs a domain`;
      if (argument !== undefined && !isDomainSpec(argument)) return `bad domain in "${term}"`;
      const hasCidr = match[4] !== '';
      if (hasCidr && name !== 'a' && name !== 'mx') return `bad term "${term}"`;
      if (v4 > 32 || v6 > 128) return `bad prefix length in "${term}"`;
      return argument === undefined ? base : { ...base, domain: argument };
    }
  }
}

/** A domain-spec (§7.1): macro text, or a name whose last label is not all digits. */
function isDomainSpec(text: string): boolean {
  if (text === '' || /\s/.test(text)) return false;
  if (text.includes('%')) return true;
  const labels = text.replace(/\.$/, '').split('.');
  return labels.length >= 2 && labels.every((l) => l !== '') && !/^\d+$/.test(labels.at(-1) ?? '');
}
