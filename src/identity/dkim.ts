// Whether a DKIM selector's public key is published (RFC 6376 §3.6.1, RFC 8463 for ed25519):
// the TXT at <selector>._domainkey.<domain> with a p= that is a usable key. An empty p= is a
// revoked key, which receivers treat as no key: `invalid`. Pure.

import { createPublicKey } from 'node:crypto';
import type { DkimStatus } from '../types.js';

export function dkimName(selector: string, domain: string): string {
  return `${selector}._domainkey.${domain.replace(/\.$/, '')}`;
}

export function dkimKeyStatus(txt: readonly string[]): DkimStatus {
  const records = txt.map(parseTags).filter((tags) => tags.has('p') || tags.get('v') === 'DKIM1');
  if (records.length === 0) return txt.length === 0 ? 'missing' : 'invalid';
  return records.some(isUsableKey) ? 'present' : 'invalid';
}

function parseTags(text: string): Map<string, string> {
  const tags = new Map<string, string>();
  for (const part of text.split(';')) {
    const at = part.indexOf('=');
    if (at > 0)
      tags.set(part.slice(0, at).trim().toLowerCase(), part.slice(at + 1).replace(/\s+/g, ''));
  }
  return tags;
}

function isUsableKey(tags: Map<string, string>): boolean {
  const version = tags.get('v');
  if (version !== undefined && version !== 'DKIM1') return false;
  const key = tags.get('p') ?? '';
  if (key === '' || !/^[A-Za-z0-9+/]+=*$/.test(key)) return false;
  const bytes = Buffer.from(key, 'base64');
  switch ((tags.get('k') ?? 'rsa').toLowerCase()) {
    case 'rsa':
      return isRsaKey(bytes);
    case 'ed25519':
      return bytes.length === 32;
    default:
      return false;
  }
}

function isRsaKey(der: Buffer): boolean {
  try {
    return createPublicKey({ key: der, format: 'der', type: 'spki' }).asymmetricKeyType === 'rsa';
  } catch {
    return false;
  }
}
