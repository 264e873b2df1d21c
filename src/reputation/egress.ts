// Which addresses this machine's mail leaves from (CONTRACT §10), decided as the pass learns
// them. Per address family, the first source in this order that knows one wins: the config,
// the cloud's metadata, a mail server naming our address in brackets (greeting or EHLO reply),
// the local source address of a connection that reached a server. A family is decided as soon
// as no better source can still speak, so its lookups can start while the probes still run:
// config at once, cloud when detection is done, a greeting at the first one that names an
// address, local only when every attempt is done. Pure: the pass feeds it events.

import { EGRESS_SOURCES, type EgressSource, type Family } from '../types.js';
import {
  addressesInBrackets,
  canonicalAddress,
  isInternalAddress,
  type IpAddress,
} from './address.js';

export interface EgressCandidate extends IpAddress {
  source: EgressSource;
}

/** What one attempt saw that can name our address. */
export interface AttemptIdentity {
  /** The greeting's first line, if one arrived. */
  greeting: string | null | undefined;
  /** The first line of the EHLO reply, on ports where EHLO was sent. */
  ehlo: string | undefined;
  /** socket.localAddress of a connection that reached a server. */
  localAddress: string | undefined;
  /**
   * The server's own address: `220 [198.51.100.1] ESMTP` names the server, not us. Without
   * it, or when it is internal, the greeting names no egress address.
   */
  peerAddress?: string;
}

const FAMILIES: readonly Family[] = [4, 6];

export class EgressFinder {
  private readonly best = new Map<Family, Map<EgressSource, EgressCandidate>>();
  private readonly decided = new Map<Family, EgressCandidate>();
  private cloudDone = false;
  private attemptsDone = false;

  /** `config` addresses are the user's word: taken as given, private ones included. */
  constructor(configAddresses: readonly string[]) {
    for (const text of configAddresses) {
      const ip = canonicalAddress(text);
      if (ip !== undefined) this.offer({ ...ip, source: 'config' }, false);
    }
  }

  /** Decided before any event: the families the config names. */
  initial(): EgressCandidate[] {
    return this.settle();
  }

  /** Cloud detection finished; its public addresses (none outside a cloud). */
  cloud(addresses: readonly string[]): EgressCandidate[] {
    for (const text of addresses) {
      const ip = canonicalAddress(text);
      if (ip !== undefined) this.offer({ ...ip, source: 'cloud' }, true);
    }
    this.cloudDone = true;
    return this.settle();
  }

  attempt(seen: AttemptIdentity): EgressCandidate[] {
    const peer = canonicalAddress(seen.peerAddress ?? '');
    // Only a public server may name our address (CONTRACT §10 point 3): one on loopback or a
    // private network sees a private side of this machine, and whoever runs it would choose
    // which address gets looked up.
    const mayName = peer !== undefined && !isInternalAddress(peer);
    for (const text of mayName ? [seen.greeting ?? '', seen.ehlo ?? ''] : []) {
      for (const ip of addressesInBrackets(text)) {
        if (ip.address !== peer?.address) this.offer({ ...ip, source: 'greeting' }, true);
      }
    }
    const local = canonicalAddress(seen.localAddress ?? '');
    if (local !== undefined) this.offer({ ...local, source: 'local' }, true);
    return this.settle();
  }

  /** Every attempt is done: the local addresses can speak now. */
  allAttemptsDone(): EgressCandidate[] {
    this.cloudDone = true;
    this.attemptsDone = true;
    return this.settle();
  }

  /** The decided addresses, IPv4 first. */
  addresses(): EgressCandidate[] {
    return FAMILIES.flatMap((f) => this.decided.get(f) ?? []);
  }

  /** Keeps the first candidate of each source and family; found addresses must be public. */
  private offer(candidate: EgressCandidate, publicOnly: boolean): void {
    if (publicOnly && isInternalAddress(candidate)) return;
    const bySource = this.best.get(candidate.family) ?? new Map<EgressSource, EgressCandidate>();
    if (!bySource.has(candidate.source)) bySource.set(candidate.source, candidate);
    this.best.set(candidate.family, bySource);
  }

  /** Decides every family whose best source is known and cannot be beaten any more. */
  private settle(): EgressCandidate[] {
    const now: EgressCandidate[] = [];
    for (const family of FAMILIES) {
      if (this.decided.has(family)) continue;
      const winner = this.winner(family);
      if (winner !== undefined) {
        this.decided.set(family, winner);
        now.push(winner);
      }
    }
    return now;
  }

  private winner(family: Family): EgressCandidate | undefined {
    const bySource = this.best.get(family);
    for (const source of EGRESS_SOURCES) {
      const found = bySource?.get(source);
      if (found !== undefined) return found;
      // A better source may still speak: wait for it.
      if (source === 'config') continue;
      if (source === 'cloud' && !this.cloudDone) return undefined;
      if (source === 'greeting' && !this.attemptsDone) return undefined;
    }
    return undefined;
  }
}
