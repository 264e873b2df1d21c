// What one canary run found → its status and numbers (CONTRACT §12). Pure: the run (run.ts)
// gathers facts from the relay and the mailbox, and only this module says what they mean.

import { authResultsFields, readAuthResults } from './auth-results.js';
import type { CanaryReport, CanarySpec } from './types.js';

/** How the relay answered the message. */
export type SendFacts =
  { accepted: true; acceptedAtMs: number; reply: string } | { accepted: false; reply: string };

/** Where the message was found. */
export interface FoundMessage {
  folder: string;
  /** Whether that folder is the one flagged \Junk (RFC 6154). */
  junk: boolean;
  uid: number;
  /** The server's INTERNALDATE: when the message arrived there (1 s resolution). */
  arrivedAtMs: number | null;
  /** When this machine saw it: an upper bound on the arrival, by the polling step. */
  seenAtMs: number;
  rawHeaders: string;
}

/** How reading the mailbox went: found, not found within the timeout, or failed. */
export type MailboxFacts =
  { read: true; found: FoundMessage | undefined } | { read: false; problem: string };

export interface CanaryFacts {
  startedAtMs: number;
  /** undefined: nothing was sent (the mailbox failed first). */
  send: SendFacts | undefined;
  mailbox: MailboxFacts;
}

/** The report of one run. */
export function decideCanary(spec: CanarySpec, facts: CanaryFacts): CanaryReport {
  const report: CanaryReport = {
    name: spec.name,
    relay: spec.relay,
    status: 'lost',
    seconds: null,
    folder: null,
    auth: null,
    reply: facts.send?.reply ?? null,
    startedAt: new Date(facts.startedAtMs).toISOString(),
  };
  if (!facts.mailbox.read)
    return { ...report, status: 'imap-failed', reply: facts.mailbox.problem };
  if (facts.send === undefined || !facts.send.accepted) return { ...report, status: 'send-failed' };
  const found = facts.mailbox.found;
  if (found === undefined) return report;
  return {
    ...report,
    status: found.junk ? 'spam' : 'delivered',
    seconds: deliverySeconds(facts.send.acceptedAtMs, found),
    folder: found.folder,
    auth: readAuthResults(authResultsFields(found.rawHeaders)),
  };
}

/**
 * Seconds from the relay's acceptance to the arrival. The server's INTERNALDATE says when it
 * arrived, but only to the whole second (so up to 1 s early) and by the server's clock; the
 * moment this machine saw it (at once with IDLE, else at the next search) bounds it from above
 * by our own clock. The arrival is the earlier of the two upper bounds, never before the
 * acceptance (a server clock running behind), rounded to 0.1 s.
 */
export function deliverySeconds(acceptedAtMs: number, found: FoundMessage): number {
  const arrived =
    found.arrivedAtMs === null ? found.seenAtMs : Math.min(found.arrivedAtMs + 999, found.seenAtMs);
  return Math.round(Math.max(0, arrived - acceptedAtMs) / 100) / 10;
}
