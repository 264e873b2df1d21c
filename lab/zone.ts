// The lab's fake Internet as data: which names exist, which addresses they have, and how the
// SMTP server on each address behaves. Everything else in the lab (addresses on the internet
// namespace, dnsmasq's records, the SMTP listeners, the scenario rules that name addresses)
// is derived from this one table, so adding a host here is all it takes.
//
// Only documentation ranges are used (RFC 5737: 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24;
// RFC 3849: 2001:db8::/32) and only reserved names (RFC 2606/6761: .example, .test), so nothing
// in the lab can ever mean a real machine.

import { assertNever } from '../src/util/assert-never.js';

/** How the SMTP server on a host's addresses behaves (on all of 25, 587 and 465). */
export type Behaviour =
  /** A well-behaved MTA: greets 220, EHLO with STARTTLS on 25/587, implicit TLS on 465. */
  | 'smtp'
  /** Greets `554 no service` (the server itself says no). */
  | 'greet-554'
  /** Accepts the connection and never sends a byte. */
  | 'never-greet'
  /** Sends bytes that are not an SMTP reply (nor TLS on 465). */
  | 'garbage'
  /** Accepts, then resets the connection at once. */
  | 'reset'
  /** Greets correctly, but only after SLOW_GREETING_MS. */
  | 'slow-greet'
  /** Sends `220 ` and then an endless line without CRLF. */
  | 'endless-line'
  /** A normal MTA whose certificate (STARTTLS and 465) expired long ago. */
  | 'expired-cert';

/** How long `slow-greet` hosts wait before their 220; tests probe them with a shorter timeout. */
export const SLOW_GREETING_MS = 4_000;

export interface LabHost {
  name: string;
  ipv4: string;
  ipv6: string;
  behaviour: Behaviour;
}

/**
 * How a provider's MX hosts refuse a client on the lab's blocklist (the `reputation` scenario),
 * in the words real receivers use: a DNSBL hit, a listing of their own, a rate limit.
 */
export type Refusal = 'blocked-using' | 'listed' | 'rate';

export interface Provider {
  /** The mail domain (MX records point at `mx`). */
  domain: string;
  mx: LabHost[];
  /** What its MX hosts say, on 25, to a client address on the lab's blocklist. */
  refusal: Refusal;
  /** The provider's submission host, documented on 587 (STARTTLS) and 465 (implicit TLS). */
  submission: LabHost;
  /** Publish RFC 6186 SRV records for submission (`_submission._tcp`, `_submissions._tcp`). */
  srv: boolean;
}

/** Where the lab's DNS server listens (inside the internet namespace). */
export const DNS_SERVER_V4 = '203.0.113.53';
export const DNS_SERVER_V6 = '2001:db8:153::53';

const host = (name: string, n: number, behaviour: Behaviour = 'smtp'): LabHost => ({
  name,
  ipv4: `198.51.100.${n}`,
  ipv6: `2001:db8:100::${n}`,
  behaviour,
});

const badHost = (name: string, n: number, behaviour: Behaviour): LabHost => ({
  name,
  ipv4: `203.0.113.${n}`,
  ipv6: `2001:db8:101::${n}`,
  behaviour,
});

/** Mailbox providers: two MX hosts each plus a submission host. */
export const PROVIDERS: readonly Provider[] = [
  {
    domain: 'alpha.example',
    mx: [host('mx1.alpha.example', 11), host('mx2.alpha.example', 12)],
    refusal: 'blocked-using',
    submission: host('smtp.alpha.example', 13),
    srv: false,
  },
  {
    domain: 'bravo.example',
    mx: [host('mx1.bravo.example', 21), host('mx2.bravo.example', 22)],
    refusal: 'listed',
    submission: host('smtp.bravo.example', 23),
    srv: true,
  },
  {
    domain: 'charlie.example',
    mx: [host('mx1.charlie.example', 31), host('mx2.charlie.example', 32)],
    refusal: 'rate',
    submission: host('smtp.charlie.example', 33),
    srv: false,
  },
];

/** The provider whose MX hosts the `partial` scenario cuts off on port 25. */
export const PARTIAL_PROVIDER = 'charlie.example';

/** A domain with no MX record but an A/AAAA record: mail goes to the domain itself (implicit MX). */
export const IMPLICIT_MX_DOMAIN = host('implicit.example', 41);

/** A domain that publishes the null MX `0 .` (RFC 7505): it accepts no mail. */
export const NULL_MX_DOMAIN = 'nullmx.example';

/** Names that do not exist (NXDOMAIN). */
export const MISSING_NAMES = ['nowhere.example', 'mx.nowhere.test'] as const;

/** Hosts that misbehave on purpose, one per kind of misbehaviour. */
export const MISBEHAVING: readonly LabHost[] = [
  badHost('reject554.bad.test', 11, 'greet-554'),
  badHost('silent.bad.test', 12, 'never-greet'),
  badHost('garbage.bad.test', 13, 'garbage'),
  badHost('reset.bad.test', 14, 'reset'),
  badHost('slow.bad.test', 15, 'slow-greet'),
  badHost('endless.bad.test', 16, 'endless-line'),
  badHost('expired.bad.test', 17, 'expired-cert'),
];

/**
 * An SMTP server on the path that answers port 25 for everyone: in the `intercept25` scenario
 * the router redirects every port-25 connection here, as a transparent SMTP proxy would.
 */
export const INTERCEPTOR: LabHost = badHost('intercept.isp.test', 25, 'smtp');

/**
 * A stand-in for a cloud's instance-metadata service, at a lab address (never the real
 * link-local one): in the `azure` scenario mxprobe is pointed at it and learns it runs on
 * Azure, so its advice names Azure as it would on a real VM there.
 */
export const METADATA_ADDRESS = '203.0.113.254';
export const METADATA_PORT = 80;
export const AZURE_METADATA_PATH = '/metadata/instance';
/** What the fake Azure IMDS says about the lab VM (made-up identifiers, all zeros and labels). */
export const AZURE_COMPUTE = {
  azEnvironment: 'AzurePublicCloud',
  location: 'westeurope',
  name: 'mxlab-vm',
  subscriptionId: '00000000-0000-0000-0000-000000000000',
  vmId: '00000000-0000-0000-0000-0000000a2e1b',
  vmSize: 'Standard_B1s',
} as const;

/**
 * The VM's public addresses in the `reputation` scenario: the router translates the VM's own
 * addresses to these, as a cloud's NAT gateway or public IP does. The lab's MX hosts refuse
 * them (BLOCKED_CLIENTS), the DNSBL zone LISTING_ZONE lists them, and they have no PTR record.
 */
export const NAT_PUBLIC_V4 = '203.0.113.7';
export const NAT_PUBLIC_V6 = '2001:db8:7::7';
export const BLOCKED_CLIENTS: readonly string[] = [NAT_PUBLIC_V4, NAT_PUBLIC_V6];

/** The VM's own name: its addresses have a PTR record pointing here, and it points back. */
export const VM_NAME = 'vm.cloud.example';

/** The lab's DNSBL zones: every lab run checks these, never a real zone. */
export const LISTING_ZONE = 'traps.dnsbl.test';
export const CLEAN_ZONE = 'reports.dnsbl.test';
export const LAB_DNSBL_ZONES: readonly string[] = [LISTING_ZONE, CLEAN_ZONE];

/**
 * The NAT addresses as LISTING_ZONE names them, written out by hand (RFC 5782: reversed octets,
 * reversed nibbles of the full IPv6 address) so the lab does not borrow mxprobe's own code.
 */
const LISTED_NAMES = [
  `7.113.0.203.${LISTING_ZONE}`,
  `7.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.7.0.0.0.8.b.d.0.1.0.0.2.${LISTING_ZONE}`,
];
/** LISTING_ZONE's TXT text for a listed address, with its lookup page as real zones give it. */
export const LISTING_TEXT = `Listed for spam trap hits; see https://${LISTING_ZONE}/lookup`;

/** The greeting an MX host sends a client on the blocklist, naming the client's address. */
export function refusalGreeting(kind: Refusal, client: string): { code: number; text: string } {
  switch (kind) {
    case 'blocked-using':
      return {
        code: 554,
        text: `5.7.1 Service unavailable; Client host [${client}] blocked using ${LISTING_ZONE}; https://${LISTING_ZONE}/lookup`,
      };
    case 'listed':
      return {
        code: 550,
        text: `5.7.1 [${client}] Your IP address is listed as a source of spam; mail from it is refused`,
      };
    case 'rate':
      return {
        code: 421,
        text: `4.7.0 [${client}] Our system has detected an unusual rate of unsolicited mail originating from your IP address; try again later`,
      };
    default:
      return assertNever(kind);
  }
}

/** Every host that has addresses and an SMTP server. */
export function allHosts(): LabHost[] {
  return [
    ...PROVIDERS.flatMap((p) => [...p.mx, p.submission]),
    IMPLICIT_MX_DOMAIN,
    ...MISBEHAVING,
    INTERCEPTOR,
  ];
}

export function findHost(name: string): LabHost {
  const found = allHosts().find((h) => h.name === name);
  if (!found) throw new Error(`no lab host named ${name}`);
  return found;
}

export function findProvider(domain: string): Provider {
  const found = PROVIDERS.find((p) => p.domain === domain);
  if (!found) throw new Error(`no lab provider ${domain}`);
  return found;
}

/**
 * Sender identity (CONTRACT §11). GOOD_SENDER authorises the VM's own addresses through an
 * include, publishes DMARC p=reject and a DKIM key for LAB_DKIM_SELECTOR; the `open` scenario
 * sends for it with the EHLO name VM_NAME (its A/AAAA and PTR agree). BAD_SENDER's SPF covers
 * another network, it has no DMARC record and no DKIM key, and the `identity` scenario's EHLO
 * name ELSEWHERE_NAME resolves to an address that is not the VM's.
 */
export const GOOD_SENDER = 'good-sender.example';
export const BAD_SENDER = 'bad-sender.example';
export const LAB_DKIM_SELECTOR = 'lab';
export const ELSEWHERE_NAME = `mail.${BAD_SENDER}`;
export const ELSEWHERE_ADDRESS = '198.51.100.250';
/** An Ed25519 public key is any 32 bytes (RFC 8463); these are made up. */
const LAB_DKIM_KEY = Buffer.alloc(32, 0x6c).toString('base64');

/** The TXT records of the two sending domains, by name. */
export function identityTxtRecords(vmAddresses: { v4: string; v6: string }): [string, string][] {
  return [
    [GOOD_SENDER, `v=spf1 include:_spf.${GOOD_SENDER} -all`],
    [`_spf.${GOOD_SENDER}`, `v=spf1 ip4:${vmAddresses.v4} ip6:${vmAddresses.v6} -all`],
    [`_dmarc.${GOOD_SENDER}`, `v=DMARC1; p=reject; rua=mailto:dmarc@${GOOD_SENDER}`],
    [`${LAB_DKIM_SELECTOR}._domainkey.${GOOD_SENDER}`, `v=DKIM1; k=ed25519; p=${LAB_DKIM_KEY}`],
    [BAD_SENDER, 'v=spf1 ip4:198.51.100.0/24 -all'],
  ];
}

/** The zone's parent domains dnsmasq answers for with authority (NXDOMAIN for unknown names). */
export const LAB_DOMAINS = ['example', 'test'] as const;

/**
 * dnsmasq's configuration for the zone. dnsmasq answers only from these records
 * (`no-resolv`, `no-hosts`) and treats .example/.test as local, so an unknown name is NXDOMAIN
 * and a known name without the asked type is NODATA, as an authoritative server would say.
 */
export function dnsmasqConfig(options: {
  pidFile: string;
  logQueries: boolean;
  /** The VM's own addresses: A/AAAA for VM_NAME, and their PTR records. */
  vmAddresses: { v4: string; v6: string };
}): string {
  const lines: string[] = [
    '# Generated by the mxprobe lab (lab/zone.ts). Answers only for the fake zone.',
    'no-resolv',
    'no-hosts',
    'no-poll',
    'bind-interfaces',
    `listen-address=${DNS_SERVER_V4}`,
    `listen-address=${DNS_SERVER_V6}`,
    'except-interface=nonexistent0',
    `pid-file=${options.pidFile}`,
    // Short TTLs, so nothing a person caches while poking around by hand outlives a lab.
    'local-ttl=5',
    ...LAB_DOMAINS.map((d) => `local=/${d}/`),
    // Reverse names too: an address without a record here has no PTR (NXDOMAIN), as the NAT
    // addresses of the `reputation` scenario.
    'local=/in-addr.arpa/',
    'local=/ip6.arpa/',
  ];
  if (options.logQueries) lines.push('log-queries', 'log-facility=-');
  for (const h of allHosts()) lines.push(`host-record=${h.name},${h.ipv4},${h.ipv6}`);
  lines.push(`host-record=${VM_NAME},${options.vmAddresses.v4},${options.vmAddresses.v6}`);
  lines.push(`host-record=${ELSEWHERE_NAME},${ELSEWHERE_ADDRESS}`);
  for (const [name, text] of identityTxtRecords(options.vmAddresses)) {
    lines.push(`txt-record=${name},"${text}"`);
  }
  // A DNSBL listing is an A record in 127.0.0.0/8 and a TXT record (RFC 5782 §2.1).
  for (const name of LISTED_NAMES) {
    lines.push(`address=/${name}/127.0.0.2`, `txt-record=${name},"${LISTING_TEXT}"`);
  }
  for (const p of PROVIDERS) {
    p.mx.forEach((mx, i) => lines.push(`mx-host=${p.domain},${mx.name},${(i + 1) * 10}`));
    if (p.srv) {
      lines.push(`srv-host=_submission._tcp.${p.domain},${p.submission.name},587,0,1`);
      lines.push(`srv-host=_submissions._tcp.${p.domain},${p.submission.name},465,0,1`);
    }
  }
  // dnsmasq cannot write an MX whose exchange is the root, so the null MX goes in as raw RDATA:
  // preference 0 (00 00) followed by the root name (a single zero octet). RR type 15 = MX.
  // (dnsmasq then answers NXDOMAIN, not NODATA, for A/AAAA of that name; a mail client never
  // asks, because the null MX already says "no mail here".)
  lines.push(`dns-rr=${NULL_MX_DOMAIN},15,000000`);
  return `${lines.join('\n')}\n`;
}
