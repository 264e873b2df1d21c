// Sender identity beside the probes (CONTRACT §11). The DMARC and DKIM lookups of the sending
// domains need no egress address and start at once; the EHLO name's A/AAAA and the SPF
// evaluations start when the egress findings are in (they need the addresses and their PTR
// names). Every question goes through one DNS client with the targets' resolver settings, each
// asked once per pass (an SPF record shared by two addresses is fetched once), under one
// deadline of IDENTITY_BUDGET_MS from finish() (called when the attempts are done, beside the
// egress deadline): what is unanswered then is cancelled, and reads
// as a temperror or `error`, never as a finding about the domain.

import { DNS_BUDGET_MS, lookup, type DnsClient, type Lookup } from '../dns/client.js';
import type {
  DkimFinding,
  DmarcFinding,
  DomainIdentity,
  EgressAddress,
  IdentityReport,
  IdentitySettings,
  SpfFinding,
} from '../types.js';
import { dkimKeyStatus, dkimName } from './dkim.js';
import { dmarcFinding, dmarcNames, dmarcRecord } from './dmarc.js';
import { ehloVerdict, type EhloAnswers } from './ehlo.js';
import { localMachineName } from './machine-name.js';
import { checkSpf } from './spf.js';

export const IDENTITY_BUDGET_MS = DNS_BUDGET_MS;

export interface IdentityOptions {
  settings: IdentitySettings;
  /** This machine's fully qualified name: the EHLO name when the config sets none. */
  machineName: string;
  /** A fresh DNS client with the targets' resolver settings. */
  dnsClient: () => DnsClient;
  budgetMs?: number;
  signal?: AbortSignal | undefined;
}

export class IdentityCheck {
  private readonly dns: DnsClient;
  private readonly early: Promise<[DmarcFinding, DkimFinding[]][]>;
  private readonly cancel = (): void => this.dns.cancel();

  constructor(private readonly options: IdentityOptions) {
    this.dns = memoized(options.dnsClient());
    options.signal?.addEventListener('abort', this.cancel, { once: true });
    if (options.signal?.aborted) this.dns.cancel();
    this.early = Promise.all(
      options.settings.sendingDomains.map((domain) =>
        Promise.all([
          lookUpDmarc(domain, this.dns),
          lookUpDkim(domain, options.settings.dkimSelectors, this.dns),
        ]),
      ),
    );
  }

  get ehloName(): string {
    return this.options.settings.ehloName ?? this.options.machineName;
  }

  /** Call with the egress findings (§10) once they are in; resolves with the identity report. */
  async finish(
    egressFindings: readonly EgressAddress[] | Promise<readonly EgressAddress[]>,
  ): Promise<IdentityReport> {
    // The deadline runs from here, also while the egress findings are still coming: the two
    // deadlines overlap, and a dead DNS server costs the pass one, not two.
    const deadline = setTimeout(this.cancel, this.options.budgetMs ?? IDENTITY_BUDGET_MS);
    try {
      const egress = await egressFindings;
      const ehloName = this.ehloName;
      const [answers, spf, early] = await Promise.all([
        egress.length > 0 ? lookUpEhlo(ehloName, this.dns) : undefined,
        Promise.all(
          this.options.settings.sendingDomains.map((d) => lookUpSpf(d, egress, ehloName, this.dns)),
        ),
        this.early,
      ]);
      const domains = this.options.settings.sendingDomains.map((domain, i): DomainIdentity => ({
        domain,
        spf: spf[i] ?? [],
        dmarc: early[i]?.[0] ?? { policy: 'error', record: null },
        dkim: early[i]?.[1] ?? [],
      }));
      return { ehloName, ehlo: ehloVerdict(ehloName, answers, egress), domains };
    } finally {
      clearTimeout(deadline);
      this.options.signal?.removeEventListener('abort', this.cancel);
      this.dns.cancel();
    }
  }
}

async function lookUpEhlo(name: string, dns: DnsClient): Promise<EhloAnswers> {
  const [a, aaaa] = await Promise.all([lookup(() => dns.a(name)), lookup(() => dns.aaaa(name))]);
  return { a, aaaa };
}

function lookUpSpf(
  domain: string,
  egress: readonly EgressAddress[],
  helo: string,
  dns: DnsClient,
): Promise<SpfFinding[]> {
  return Promise.all(
    egress.map(async (e) => {
      const ip = { address: e.address, family: e.family };
      const outcome = await checkSpf({ ip, domain, sender: `postmaster@${domain}`, helo }, dns);
      return { address: e.address, ...outcome };
    }),
  );
}

/** The domain's own DMARC record, else its nearest parent's (one name at a time). */
async function lookUpDmarc(domain: string, dns: DnsClient): Promise<DmarcFinding> {
  const names = dmarcNames(domain);
  for (const [i, name] of names.entries()) {
    const answer = await lookup(() => dns.txt(name));
    if (!answer.ok && !isVoid(answer)) return { policy: 'error', record: null };
    const record = answer.ok ? dmarcRecord(answer.value) : undefined;
    if (record !== undefined) return dmarcFinding(record, i === 0);
  }
  return { policy: 'missing', record: null };
}

function lookUpDkim(
  domain: string,
  selectors: readonly string[],
  dns: DnsClient,
): Promise<DkimFinding[]> {
  return Promise.all(
    selectors.map(async (selector): Promise<DkimFinding> => {
      const answer = await lookup(() => dns.txt(dkimName(selector, domain)));
      if (answer.ok) return { selector, status: dkimKeyStatus(answer.value) };
      return { selector, status: isVoid(answer) ? 'missing' : 'error' };
    }),
  );
}

function isVoid(answer: Lookup<unknown>): boolean {
  return !answer.ok && (answer.status === 'nxdomain' || answer.status === 'nodata');
}

/** The same question asked twice in one pass gets the first answer (SPF records shared by addresses). */
export function memoized(dns: DnsClient): DnsClient {
  const answers = new Map<string, Promise<unknown>>();
  const once =
    <T>(type: string, ask: (name: string) => Promise<T>) =>
    (name: string): Promise<T> => {
      const key = `${type} ${name.toLowerCase()}`;
      let answer = answers.get(key) as Promise<T> | undefined;
      if (answer === undefined) {
        answer = ask(name);
        answers.set(key, answer);
      }
      return answer;
    };
  return {
    mx: once('MX', (n) => dns.mx(n)),
    a: once('A', (n) => dns.a(n)),
    aaaa: once('AAAA', (n) => dns.aaaa(n)),
    ptr: once('PTR', (n) => dns.ptr(n)),
    txt: once('TXT', (n) => dns.txt(n)),
    cancel: () => dns.cancel(),
  };
}

/** An identity check for the config's settings, the EHLO name defaulting to this machine's. */
export async function startIdentityCheck(
  options: Omit<IdentityOptions, 'machineName'>,
): Promise<IdentityCheck> {
  return new IdentityCheck({ ...options, machineName: await localMachineName() });
}
