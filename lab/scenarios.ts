// The egress policies the lab can impose, one named unit each. A scenario is pure data: the
// nftables statements of the router's forward chain (the cloud platform's filter, outside the
// VM), the statements of the VM's own output chain (a firewall inside the VM), and whether the
// VM has an IPv6 route. rulesets() turns it into nftables scripts; lab.ts applies them.
//
// Switching scenario replaces both tables atomically (`nft -f`), so it costs milliseconds.

import type { FakePlatform } from './cloud-services.js';
import { VM_ADDRESS_V4, VM_ADDRESS_V6 } from './topology.js';
import {
  BAD_SENDER,
  ELSEWHERE_NAME,
  findProvider,
  INTERCEPTOR,
  LISTING_ZONE,
  NAT_PUBLIC_V4,
  NAT_PUBLIC_V6,
  PARTIAL_PROVIDER,
} from './zone.js';

export const SCENARIO_NAMES = [
  'open',
  'azure',
  'reject25',
  'icmp25',
  'local-fw',
  'all-blocked',
  'dns-down',
  'partial',
  'v6-blocked',
  'no-v6',
  'lossy',
  'intercept25',
  'reputation',
  'hetzner',
  'linode',
  'digitalocean',
  'beyond-policy',
  'identity',
] as const;

export type ScenarioName = (typeof SCENARIO_NAMES)[number];

export interface Scenario {
  name: ScenarioName;
  /** One line for `--help`. */
  summary: string;
  /** What the network does, and what mxprobe should conclude from it. */
  expect: string;
  /** Statements in the router's forward chain (policy accept). */
  router: string[];
  /** Statements in the router's destination-NAT chain (prerouting), if the scenario has one. */
  routerDnat?: string[];
  /** Statements in the router's source-NAT chain (postrouting), if the scenario has one. */
  routerSnat?: string[];
  /** Statements in the VM's own output chain (policy accept). */
  vmOutput: string[];
  /** Whether the VM keeps its IPv6 default route. */
  vmIpv6Route: boolean;
  /**
   * The cloud platform the lab plays: its firmware strings for the VM, and its metadata service
   * (lab/cloud-services.ts) as the probe set's metadata URL.
   */
  cloud?: FakePlatform;
  /** Ports the probe set adds on the lab's submission hosts (2525: a relay's alternative port). */
  extraSubmissionPorts?: number[];
}

/** The share of packets `lossy` drops, in percent, in each direction. */
export const LOSS_PERCENT = 20;

const partialMx = findProvider(PARTIAL_PROVIDER).mx;

const SCENARIOS: Record<ScenarioName, Omit<Scenario, 'name'>> = {
  open: {
    summary: 'nothing is filtered: every lab host is reachable on 25, 587 and 465',
    expect: 'every attempt reachable; diagnosis ok; exit 0',
    router: [],
    vmOutput: [],
    vmIpv6Route: true,
  },
  azure: {
    summary: 'outbound TCP 25 silently dropped (IPv4 and IPv6), as on an Azure VM; 587/465 open',
    expect: 'port 25 filtered (timeout); 587/465 open; diagnosis port25-blocked; exit 1',
    router: ['tcp dport 25 counter drop'],
    vmOutput: [],
    vmIpv6Route: true,
  },
  reject25: {
    summary: 'outbound TCP 25 refused with a TCP reset by the platform',
    expect: 'port 25 blocked (refused); diagnosis port25-blocked; exit 1',
    router: ['tcp dport 25 counter reject with tcp reset'],
    vmOutput: [],
    vmIpv6Route: true,
  },
  icmp25: {
    summary: 'outbound TCP 25 answered with ICMP administratively prohibited (IPv4 and IPv6)',
    expect: 'port 25 blocked (unreachable); diagnosis port25-blocked; exit 1',
    router: [
      'meta nfproto ipv4 tcp dport 25 counter reject with icmp type admin-prohibited',
      'meta nfproto ipv6 tcp dport 25 counter reject with icmpv6 type admin-prohibited',
    ],
    vmOutput: [],
    vmIpv6Route: true,
  },
  'local-fw': {
    summary:
      "the VM's own firewall rejects outbound 25 (firewalld's default: ICMP admin-prohibited)",
    // A DROP in the VM's own output chain only makes TCP retransmit its SYN (the connect times
    // out, indistinguishable from a drop upstream); firewalld and most distribution firewalls
    // REJECT, and a local reject reaches the socket at once as EHOSTUNREACH (v4) / EACCES (v6).
    expect:
      'port 25 blocked (unreachable: EHOSTUNREACH over IPv4, EACCES over IPv6); diagnosis port25-blocked; exit 1',
    router: [],
    vmOutput: ['tcp dport 25 counter reject with icmpx type admin-prohibited'],
    vmIpv6Route: true,
  },
  'all-blocked': {
    summary: 'outbound 25, 587 and 465 all silently dropped',
    expect: 'every port filtered; diagnosis egress-blocked; exit 1',
    router: ['tcp dport { 25, 587, 465 } counter drop'],
    vmOutput: [],
    vmIpv6Route: true,
  },
  'dns-down': {
    summary: 'DNS (UDP and TCP 53) silently dropped: nothing resolves',
    expect: 'no target resolves; diagnosis dns-failed; exit 3 within a few seconds',
    router: ['meta l4proto { tcp, udp } th dport 53 counter drop'],
    vmOutput: [],
    vmIpv6Route: true,
  },
  partial: {
    summary: `${PARTIAL_PROVIDER}'s MX hosts dropped on 25; every other destination open`,
    expect: 'port 25 partial; diagnosis partial; exit 1',
    router: [
      `ip daddr { ${partialMx.map((h) => h.ipv4).join(', ')} } tcp dport 25 counter drop`,
      `ip6 daddr { ${partialMx.map((h) => h.ipv6).join(', ')} } tcp dport 25 counter drop`,
    ],
    vmOutput: [],
    vmIpv6Route: true,
  },
  'v6-blocked': {
    summary: 'outbound 25 dropped for IPv6 only; IPv4 open',
    expect:
      'IPv6 attempts on 25 filtered, IPv4 reachable; port 25 partial; diagnosis partial; exit 1',
    router: ['meta nfproto ipv6 tcp dport 25 counter drop'],
    vmOutput: [],
    vmIpv6Route: true,
  },
  'no-v6': {
    summary: 'the VM has no IPv6 route at all (an IPv4-only VM); nothing is filtered',
    expect:
      'IPv6 attempts blocked (unreachable, ENETUNREACH), family 6 no-route, not a block; diagnosis ok; exit 0',
    router: [],
    vmOutput: [],
    vmIpv6Route: false,
  },
  lossy: {
    summary: `${LOSS_PERCENT}% random packet loss on everything, each direction (nftables numgen)`,
    expect:
      'every attempt still reachable (TCP and the probe retry); never a false filtered; diagnosis ok',
    router: [`numgen random mod 100 < ${LOSS_PERCENT} counter drop`],
    vmOutput: [],
    vmIpv6Route: true,
  },
  intercept25: {
    summary: `every outbound port-25 connection redirected to one SMTP server (${INTERCEPTOR.name})`,
    expect:
      'every attempt reachable, but all port-25 greetings name one host; hint smtp-interception; diagnosis ok; exit 0',
    router: [],
    routerDnat: [
      `meta nfproto ipv4 tcp dport 25 counter dnat ip to ${INTERCEPTOR.ipv4}`,
      `meta nfproto ipv6 tcp dport 25 counter dnat ip6 to ${INTERCEPTOR.ipv6}`,
    ],
    vmOutput: [],
    vmIpv6Route: true,
  },
  reputation: {
    summary: `the VM sends from a public address (${NAT_PUBLIC_V4}, ${NAT_PUBLIC_V6}, NAT in the router) that the MX hosts refuse, ${LISTING_ZONE} lists, and no PTR names`,
    expect: `port 25 blocked (rejected: the greetings name ${NAT_PUBLIC_V4}); 587/465 open; egress ${NAT_PUBLIC_V4} ptr none, listed in ${LISTING_ZONE}; diagnosis port25-refused; exit 1`,
    router: [],
    // As a cloud's NAT gateway or public IP does: the VM's own address never reaches the Internet.
    routerSnat: [
      `meta nfproto ipv4 ip saddr ${VM_ADDRESS_V4} counter snat ip to ${NAT_PUBLIC_V4}`,
      `meta nfproto ipv6 ip6 saddr ${VM_ADDRESS_V6} counter snat ip6 to ${NAT_PUBLIC_V6}`,
    ],
    vmOutput: [],
    vmIpv6Route: true,
  },
  // The clouds that block more than port 25, each as its documentation says (src/clouds/).
  hetzner: {
    summary: 'a Hetzner Cloud VM of a new account: outbound 25 and 465 silently dropped; 587 open',
    expect:
      'cloud hetzner, policy [25, 465]; 25 and 465 filtered, 587 open; diagnosis port25-blocked, no blocked-beyond-policy; advice: the unblock request, no relay on 465; exit 1',
    router: ['tcp dport { 25, 465 } counter drop'],
    vmOutput: [],
    vmIpv6Route: true,
    cloud: 'hetzner',
  },
  linode: {
    summary:
      'an Akamai (Linode) VM of a new account: 25, 465 and 587 silently dropped; relays answer on 2525',
    expect:
      'cloud linode, policy [25, 465, 587]; 25, 587 and 465 filtered, 2525 open; diagnosis port25-blocked; advice: the support ticket after rDNS, and port 2525; exit 1',
    router: ['tcp dport { 25, 465, 587 } counter drop'],
    vmOutput: [],
    vmIpv6Route: true,
    cloud: 'linode',
    extraSubmissionPorts: [2525],
  },
  digitalocean: {
    summary: 'a DigitalOcean Droplet of a new account: outbound 25 silently dropped; 587/465 open',
    expect:
      'cloud digitalocean, policy [25]; 25 filtered; diagnosis port25-blocked, no blocked-beyond-policy; exit 1',
    router: ['tcp dport 25 counter drop'],
    vmOutput: [],
    vmIpv6Route: true,
    cloud: 'digitalocean',
  },
  'beyond-policy': {
    summary:
      "a Vultr VM: the platform drops 25 (its policy), and the VM's own firewall drops 587 too",
    expect:
      "cloud vultr, policy [25]; 25 and 587 filtered, 465 open; diagnosis port25-blocked, hint blocked-beyond-policy; advice points at the VM's own firewall first and names no relay on 587; exit 1",
    router: ['tcp dport 25 counter drop'],
    vmOutput: ['tcp dport 587 counter drop'],
    vmIpv6Route: true,
    cloud: 'vultr',
  },
  identity: {
    summary: `nothing is filtered, but the VM sends for ${BAD_SENDER}, whose SPF does not cover it and which has no DMARC record or DKIM key, with an EHLO name (${ELSEWHERE_NAME}) that resolves elsewhere`,
    expect:
      'every attempt reachable; diagnosis ok; hints helo-mismatch, spf-fail, dmarc-missing, dkim-missing; exit 0',
    router: [],
    vmOutput: [],
    vmIpv6Route: true,
  },
};

export function isScenarioName(name: string): name is ScenarioName {
  return (SCENARIO_NAMES as readonly string[]).includes(name);
}

export function scenario(name: ScenarioName): Scenario {
  return { name, ...SCENARIOS[name] };
}

export const ROUTER_TABLE = 'mxlab';
export const VM_TABLE = 'mxlab_vm';

/** One base chain: its hook and priority, and its statements. */
interface ChainSpec {
  name: string;
  type: 'filter' | 'nat';
  hook: 'forward' | 'output' | 'prerouting' | 'postrouting';
  priority: 'filter' | 'dstnat' | 'srcnat';
  statements: string[];
}

/**
 * A script that replaces one table as a single transaction: declaring the table first makes
 * `delete` succeed even on the first run, and nft applies the whole file or nothing.
 */
function replaceTable(table: string, chains: ChainSpec[]): string {
  return [
    `table inet ${table}`,
    `delete table inet ${table}`,
    `table inet ${table} {`,
    ...chains.flatMap((c) => [
      `  chain ${c.name} {`,
      `    type ${c.type} hook ${c.hook} priority ${c.priority}; policy accept;`,
      ...c.statements.map((s) => `    ${s}`),
      '  }',
    ]),
    '}',
    '',
  ].join('\n');
}

export function rulesets(s: Scenario): { router: string; vm: string } {
  const egress: ChainSpec = {
    name: 'egress',
    type: 'filter',
    hook: 'forward',
    priority: 'filter',
    statements: s.router,
  };
  const dnat: ChainSpec[] = s.routerDnat
    ? [
        {
          name: 'intercept',
          type: 'nat',
          hook: 'prerouting',
          priority: 'dstnat',
          statements: s.routerDnat,
        },
      ]
    : [];
  const snat: ChainSpec[] = s.routerSnat
    ? [
        {
          name: 'egress_nat',
          type: 'nat',
          hook: 'postrouting',
          priority: 'srcnat',
          statements: s.routerSnat,
        },
      ]
    : [];
  return {
    router: replaceTable(ROUTER_TABLE, [egress, ...dnat, ...snat]),
    vm: replaceTable(VM_TABLE, [
      {
        name: 'output',
        type: 'filter',
        hook: 'output',
        priority: 'filter',
        statements: s.vmOutput,
      },
    ]),
  };
}
