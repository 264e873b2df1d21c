// Egress identity and reputation beside the probes (CONTRACT §10). The pass tells it what it
// learns (cloud detection done, each attempt, all attempts done); EgressFinder decides each
// family's address, and that address's lookups start at once, while the probes still run.
//
// Budget: an address's PTR, forward and DNSBL lookups all run in parallel on their own DNS
// client (the targets' resolver settings, hedged like theirs) under one deadline of
// REPUTATION_BUDGET_MS, after which whatever is unanswered is cancelled and reported `error`:
// a dead DNS server costs one deadline, not one per zone. No address, no question: a pass
// that only reached loopback or private addresses sends none.

import { silentLogger, type Logger } from '../log.js';
import { DNS_BUDGET_MS, type DnsClient } from '../dns/client.js';
import type { EgressAddress, EgressReport } from '../types.js';
import { EgressFinder, type AttemptIdentity, type EgressCandidate } from './egress.js';
import { lookUpAddress } from './lookup.js';

export const REPUTATION_BUDGET_MS = DNS_BUDGET_MS;

export interface ReputationOptions {
  zones: readonly string[];
  egressAddresses: readonly string[];
  /** A fresh DNS client with the targets' resolver settings. */
  dnsClient: () => DnsClient;
  budgetMs?: number;
  signal?: AbortSignal | undefined;
  log?: Logger;
}

export class ReputationCheck {
  private readonly finder: EgressFinder;
  private readonly lookups: Promise<EgressAddress>[] = [];
  private readonly clients: DnsClient[] = [];
  private readonly onAbort = (): void => {
    for (const client of this.clients) client.cancel();
  };

  constructor(private readonly options: ReputationOptions) {
    this.finder = new EgressFinder(options.egressAddresses);
    options.signal?.addEventListener('abort', this.onAbort, { once: true });
    this.start(this.finder.initial());
  }

  cloudDetected(publicAddresses: readonly string[]): void {
    this.start(this.finder.cloud(publicAddresses));
  }

  attemptSeen(seen: AttemptIdentity): void {
    this.start(this.finder.attempt(seen));
  }

  /** Call once every attempt is done; resolves with the findings, IPv4 first. */
  async finish(): Promise<EgressReport> {
    this.start(this.finder.allAttemptsDone());
    try {
      const addresses = await Promise.all(this.lookups);
      return { addresses: addresses.sort((a, b) => a.family - b.family) };
    } finally {
      this.options.signal?.removeEventListener('abort', this.onAbort);
    }
  }

  private start(decided: EgressCandidate[]): void {
    for (const candidate of decided) this.lookups.push(this.lookUp(candidate));
  }

  private async lookUp(candidate: EgressCandidate): Promise<EgressAddress> {
    const log = this.options.log ?? silentLogger;
    const dns = this.options.dnsClient();
    this.clients.push(dns);
    if (this.options.signal?.aborted) dns.cancel();
    const started = performance.now();
    const deadline = setTimeout(() => dns.cancel(), this.options.budgetMs ?? REPUTATION_BUDGET_MS);
    try {
      const found = await lookUpAddress(candidate, this.options.zones, dns);
      log.debug('egress address checked', {
        ...found,
        durationMs: Math.round(performance.now() - started),
      });
      return found;
    } finally {
      clearTimeout(deadline);
      // A hedged question's second copy may still be out: nothing waits for it any more.
      dns.cancel();
    }
  }
}
