// The lab itself, checked without mxprobe: does each scenario do to a plain TCP connect what
// it claims (drop, reset, ICMP prohibited, no route), does the zone answer as documented, and
// is the lab sealed off from the host? If these fail, the end-to-end results mean nothing.

import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { linkList } from '../../lab/instance.js';
import { ROUTER_TABLE, SCENARIO_NAMES, type ScenarioName } from '../../lab/scenarios.js';
import { findHost, findProvider, NULL_MX_DOMAIN } from '../../lab/zone.js';
import { applyScenario, askFrom, connectFrom, lab } from './helpers.js';

const NS_ROUTER = lab.names.namespaces.router;
const NS_VM = lab.names.namespaces.vm;

const connect = (address: string, port: number): Promise<string> => connectFrom(lab, address, port);
const ask = (type: string, name: string): Promise<unknown> => askFrom(lab, type, name);

const mx = findHost('mx1.alpha.example');
const submission = findHost('smtp.alpha.example');

describe('egress policies seen by a plain connect', () => {
  // [scenario, IPv4 :25, IPv6 :25, IPv4 :587]
  const cases: Array<[ScenarioName, string, string, string]> = [
    ['open', 'connected', 'connected', 'connected'],
    ['azure', 'timeout', 'timeout', 'connected'],
    ['reject25', 'ECONNREFUSED', 'ECONNREFUSED', 'connected'],
    ['icmp25', 'EHOSTUNREACH', 'EACCES', 'connected'],
    ['local-fw', 'EHOSTUNREACH', 'EACCES', 'connected'],
    ['all-blocked', 'timeout', 'timeout', 'timeout'],
    ['v6-blocked', 'connected', 'timeout', 'connected'],
    ['no-v6', 'connected', 'ENETUNREACH', 'connected'],
  ];
  it.each(cases)('%s: v4:25 %s, v6:25 %s, v4:587 %s', async (scenario, v4, v6, sub) => {
    applyScenario(scenario);
    const got = await Promise.all([
      connect(mx.ipv4, 25),
      connect(mx.ipv6, 25),
      connect(submission.ipv4, 587),
    ]);
    expect(got).toEqual([v4, v6, sub]);
  });

  it('partial: only the chosen provider is cut off on 25', async () => {
    applyScenario('partial');
    const cut = findProvider('charlie.example').mx[0];
    if (!cut) throw new Error('charlie.example has no MX');
    expect(
      await Promise.all([connect(cut.ipv4, 25), connect(cut.ipv6, 25), connect(mx.ipv4, 25)]),
    ).toEqual(['timeout', 'timeout', 'connected']);
  });

  it('dns-down: the resolver gets no answer', async () => {
    applyScenario('dns-down');
    expect(await ask('A', mx.name)).toMatch(/^(ETIMEOUT|ECONNREFUSED|ESERVFAIL)$/);
  });

  it('lossy: drops about the documented share of packets', async () => {
    applyScenario('lossy');
    // 40 connects: a lost SYN or SYN-ACK costs a 1 s retransmit, so a share of them is slow,
    // and about one in eight (0.36²) loses both its first SYN and the retransmission at 1 s.
    const results = await Promise.all(Array.from({ length: 40 }, () => connect(mx.ipv4, 25)));
    const counters = execFileSync(
      'ip',
      ['netns', 'exec', NS_ROUTER, 'nft', 'list', 'chain', 'inet', ROUTER_TABLE, 'egress'],
      { encoding: 'utf8' },
    );
    const dropped = Number(/counter packets (\d+)/.exec(counters)?.[1] ?? '0');
    expect(dropped).toBeGreaterThan(0);
    expect(results.filter((r) => r === 'connected').length).toBeGreaterThanOrEqual(25);
  });

  it('every scenario applies cleanly and open undoes it', () => {
    for (const name of SCENARIO_NAMES) applyScenario(name);
    applyScenario('open');
    const vmRoutes = execFileSync('ip', ['-n', NS_VM, '-6', 'route', 'show', 'default'], {
      encoding: 'utf8',
    });
    expect(vmRoutes).toMatch(/^default via/);
  });
});

describe('the zone', () => {
  it('has two MX hosts per provider, with A and AAAA', async () => {
    applyScenario('open');
    expect(await ask('MX', 'bravo.example')).toEqual(
      expect.arrayContaining([
        { exchange: 'mx1.bravo.example', priority: 10 },
        { exchange: 'mx2.bravo.example', priority: 20 },
      ]),
    );
    expect(await ask('A', 'mx2.bravo.example')).toEqual([findHost('mx2.bravo.example').ipv4]);
    expect(await ask('AAAA', 'mx2.bravo.example')).toEqual([findHost('mx2.bravo.example').ipv6]);
  });

  it('publishes submission SRV records for one provider', async () => {
    expect(await ask('SRV', '_submission._tcp.bravo.example')).toEqual([
      { name: 'smtp.bravo.example', port: 587, priority: 0, weight: 1 },
    ]);
    expect(await ask('SRV', '_submissions._tcp.bravo.example')).toEqual([
      { name: 'smtp.bravo.example', port: 465, priority: 0, weight: 1 },
    ]);
  });

  it('answers implicit MX, null MX and missing names as an authoritative server would', async () => {
    expect(await ask('MX', 'implicit.example')).toBe('ENODATA');
    expect(await ask('A', 'implicit.example')).toEqual([findHost('implicit.example').ipv4]);
    expect(await ask('MX', NULL_MX_DOMAIN)).toEqual([{ exchange: '', priority: 0 }]);
    expect(await ask('A', 'nowhere.example')).toBe('ENOTFOUND');
    expect(await ask('MX', 'mx.nowhere.test')).toBe('ENOTFOUND');
  });
});

describe('isolation', () => {
  it('has no way out of the lab: no default route on the router, nothing in the host namespace', () => {
    expect(
      execFileSync('ip', ['-n', NS_ROUTER, 'route', 'show', 'default'], {
        encoding: 'utf8',
      }).trim(),
    ).toBe('');
    expect(
      execFileSync('ip', ['-n', NS_ROUTER, '-6', 'route', 'show', 'default'], {
        encoding: 'utf8',
      }).trim(),
    ).toBe('');
    // Every lab link is inside its namespace, and none is in the host's.
    const linkNames = (ns?: string): string[] =>
      execFileSync('ip', [...(ns ? ['-n', ns] : []), '-o', 'link', 'show'], { encoding: 'utf8' })
        .split('\n')
        .map((line) => /^\d+:\s+([^:@\s]+)/.exec(line)?.[1] ?? '');
    const { namespaces: ns, links } = lab.names;
    expect(linkNames(ns.vm)).toContain(links.vm);
    expect(linkNames(ns.router)).toEqual(
      expect.arrayContaining([links.routerVm, links.routerInet]),
    );
    expect(linkNames(ns.inet)).toContain(links.inet);
    expect(linkNames().filter((name) => linkList(lab.names).includes(name))).toEqual([]);
  });
});
