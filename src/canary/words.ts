// The canary in words: its diagnosis hints and the "Delivery" section of the human output.
// Pure, like diagnosis/explain.ts.

import type { CanaryReport, CanaryStatus } from './types.js';

export const CANARY_HINTS = ['canary-lost', 'canary-spam'] as const;
export type CanaryHint = (typeof CANARY_HINTS)[number];

/** The hints the canaries' results give, in CANARY_HINTS order. */
export function canaryHints(reports: readonly CanaryReport[]): CanaryHint[] {
  const hints: CanaryHint[] = [];
  if (reports.some((r) => r.status === 'lost')) hints.push('canary-lost');
  if (reports.some((r) => r.status === 'spam')) hints.push('canary-spam');
  return hints;
}

/** What each hint tells the person at the VM. */
export const CANARY_HINT_WORDS: Record<CanaryHint, string> = {
  'canary-lost':
    "A canary message was accepted by the relay but never reached its mailbox: the relay or the receiver dropped it. Check the relay's activity log for the message, and the sending domain's SPF, DKIM and DMARC.",
  'canary-spam':
    "A canary message reached its mailbox but was filed as spam: mail from this relay and sender is delivered but not trusted. Check the Authentication-Results it carried (SPF, DKIM, DMARC) and the sender's reputation.",
};

/** One line per canary for the human output's "Delivery" section (empty: no canaries). */
export function deliveryLines(reports: readonly CanaryReport[]): string[] {
  if (reports.length === 0) return [];
  return ['Delivery', ...reports.map((r) => `  ${r.name} via ${r.relay}: ${statusWords(r)}`)];
}

function statusWords(report: CanaryReport): string {
  const status: CanaryStatus = report.status;
  switch (status) {
    case 'delivered':
      return `delivered to ${report.folder ?? 'the inbox'} in ${seconds(report)}${authWords(report)}`;
    case 'spam':
      return `filed as SPAM in ${report.folder ?? 'the junk folder'} after ${seconds(report)}${authWords(report)}`;
    case 'lost':
      return `LOST: the relay accepted it, and it did not arrive in the inbox or the junk folder in time`;
    case 'send-failed':
      return `NOT SENT: the relay refused it: ${report.reply ?? 'no reply'}`;
    case 'imap-failed':
      return `UNKNOWN: the mailbox could not be read: ${report.reply ?? 'no reason given'}`;
    default: {
      const never: never = status;
      return never;
    }
  }
}

function seconds(report: CanaryReport): string {
  return `${(report.seconds ?? 0).toFixed(1)} s`;
}

function authWords(report: CanaryReport): string {
  if (report.auth === null) return '';
  const { spf, dkim, dmarc } = report.auth;
  return ` (spf ${spf}, dkim ${dkim}, dmarc ${dmarc})`;
}
