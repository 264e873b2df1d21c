// What the identity report means for the diagnosis: its hints (CONTRACT §11). Pure.

import type { IdentityHint, IdentityReport } from '../types.js';

export function identityHints(report: IdentityReport): IdentityHint[] {
  const hints: IdentityHint[] = [];
  if (report.ehlo.status !== 'ok') hints.push('helo-mismatch');
  const domains = report.domains;
  if (domains.some((d) => d.spf.some((s) => s.result !== 'pass'))) hints.push('spf-fail');
  if (domains.some((d) => d.dmarc.policy === 'missing')) hints.push('dmarc-missing');
  if (domains.some((d) => d.dkim.some((k) => k.status === 'missing' || k.status === 'invalid'))) {
    hints.push('dkim-missing');
  }
  return hints;
}
