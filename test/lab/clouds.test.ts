// The clouds that block more than port 25, played by the lab: the VM shows the platform's
// firmware strings, the platform's fake metadata service answers at the lab's metadata address
// (lab/cloud-services.ts), and the router drops what the platform documents. The built mxprobe
// in the VM must name the cloud, carry its policy, tell a documented block from one beyond the
// policy, and advise the platform's exemption path and no port that is shut.

import { beforeAll, describe, expect, it } from 'vitest';
import type { ScenarioName } from '../../lab/scenarios.js';
import type { Hint, PortStatus, Report } from '../../src/types.js';
import { applyScenario, LAB_PROBE_SET, probeHuman, probeJson, type JsonRun } from './helpers.js';

interface CloudCase {
  scenario: ScenarioName;
  cloud: Report['environment']['cloud'];
  blockedPorts: number[];
  ports: Record<number, PortStatus>;
  beyondPolicy: boolean;
  /** The platform's exemption path, in its words, or the firewall advice of a beyond-policy block. */
  advice: RegExp;
  /** Ports the advice must not recommend a relay on (shut in this pass or blocked by policy). */
  shut: number[];
  /** What the summary says about the policy. */
  summary: RegExp;
  /** A port a relay must be recommended on. */
  recommended?: number;
}

const CASES: CloudCase[] = [
  {
    scenario: 'hetzner',
    cloud: 'hetzner',
    blockedPorts: [25, 465],
    ports: { 25: 'filtered', 587: 'open', 465: 'filtered' },
    beyondPolicy: false,
    advice: /first invoice is paid, send an unblock request/,
    shut: [25, 465],
    summary: /Ports 25 and 465 shut: as Hetzner Cloud documents for every new account/,
    recommended: 587,
  },
  {
    scenario: 'linode',
    cloud: 'linode',
    blockedPorts: [25, 465, 587],
    ports: { 25: 'filtered', 587: 'filtered', 465: 'filtered', 2525: 'open' },
    beyondPolicy: false,
    advice: /reverse DNS for the Linode, then open a Support ticket/,
    shut: [25, 465, 587],
    summary: /Ports 25, 465 and 587 shut: as Akamai Cloud \(Linode\) documents/,
    recommended: 2525,
  },
  {
    scenario: 'digitalocean',
    cloud: 'digitalocean',
    blockedPorts: [25],
    ports: { 25: 'filtered', 587: 'open', 465: 'open' },
    beyondPolicy: false,
    advice: /does not lift the block for new accounts/,
    shut: [25],
    summary: /Port 25 shut: as DigitalOcean documents for all Droplets of new accounts/,
    recommended: 587,
  },
  {
    scenario: 'beyond-policy',
    cloud: 'vultr',
    blockedPorts: [25],
    ports: { 25: 'filtered', 587: 'filtered', 465: 'open' },
    beyondPolicy: true,
    advice: /^Port 587 is shut although Vultr does not block it: check this VM's own firewall/,
    shut: [25, 587],
    summary: /Port 587 shut beyond policy: Vultr's policy blocks only 25/,
    recommended: 465,
  },
];

/** Advice lines that recommend a relay on `port`. */
function recommending(advice: string[], port: number): string[] {
  return advice.filter((line) => new RegExp(`relays? (on|listen)[^.]*\\b${port}\\b`).test(line));
}

describe.each(CASES)('scenario $scenario', (c) => {
  let json: JsonRun;

  beforeAll(async () => {
    applyScenario(c.scenario);
    json = await probeJson(LAB_PROBE_SET);
  });

  it('names the cloud from its firmware and metadata, and carries its policy', () => {
    const env = json.report.environment;
    expect(env.cloud).toBe(c.cloud);
    expect(env.policy?.blockedPorts).toEqual(c.blockedPorts);
    expect(env.policy?.source).toMatch(/^https:\/\//);
  });

  it('exits 1 with port25-blocked and the ports as the platform shuts them', () => {
    expect(json.code).toBe(1);
    expect(json.report.diagnosis.code).toBe('port25-blocked');
    const statuses = Object.fromEntries(json.report.ports.map((p) => [p.port, p.status]));
    expect(statuses).toEqual(c.ports);
  });

  it('says whether the block is the documented one', () => {
    const hints: Hint[] = json.report.diagnosis.hints;
    expect(hints.includes('blocked-beyond-policy')).toBe(c.beyondPolicy);
    expect(json.report.diagnosis.summary).toMatch(c.summary);
  });

  it('advises the way out and never a port that is shut', () => {
    const advice = json.report.diagnosis.advice;
    expect(advice.length).toBeGreaterThan(0);
    expect(advice.join('\n')).toMatch(c.advice);
    for (const port of c.shut) expect(recommending(advice, port)).toEqual([]);
    if (c.recommended !== undefined) {
      expect(recommending(advice, c.recommended).length).toBeGreaterThan(0);
    }
  });

  it('prints the policy statement in the human output', async () => {
    const human = await probeHuman(LAB_PROBE_SET);
    expect(human.code).toBe(1);
    expect(human.stdout.replace(/\s+/g, ' ')).toMatch(c.summary);
  });
});
