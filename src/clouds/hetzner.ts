// Hetzner Cloud. Firmware and metadata as cloud-init reads them (tools/ds-identify
// dscheck_Hetzner: sys_vendor Hetzner; DataSourceHetzner.py: GET
// http://169.254.169.254/hetzner/v1/metadata, answered in YAML, no header). Policy: outgoing
// ports 25 and 465 are blocked on every new Cloud server; Hetzner unblocks them on a request
// once the account's first invoice has been paid (docs.hetzner.com, Cloud servers FAQ).

import { parse } from 'yaml';
import { defineCloud, inParentheses, type PortPolicy } from './cloud.js';
import { joinUrl, request, stringField } from './metadata.js';
import { policyAdvice } from './policy-advice.js';

export interface HetznerFacts {
  region: string | null;
  availabilityZone: string | null;
  instanceId: string | null;
  publicIpAddresses?: string[];
}

export const HETZNER_POLICY: PortPolicy = {
  blockedPorts: [25, 465],
  who: 'every new account',
  exemption:
    'once the first invoice is paid, send an unblock request in the Hetzner Console (the server, then "Request to unblock mail ports"), saying what the mail is for.',
  source: 'https://docs.hetzner.com/cloud/servers/faq/',
};

export const hetzner = defineCloud({
  id: 'hetzner',
  name: 'Hetzner Cloud',
  dmiSignature: /^Hetzner$/m,
  defaultMetadataUrl: 'http://169.254.169.254/hetzner/v1',

  async queryMetadata(baseUrl, ctx): Promise<HetznerFacts | null> {
    const url = joinUrl(baseUrl, '/metadata');
    if (url === null) return null;
    const answer = await request(url, { method: 'GET', headers: {} }, ctx);
    const body = answer === null ? undefined : parseYaml(answer.body);
    const id = (body as Record<string, unknown> | undefined)?.['instance-id'];
    if (typeof id !== 'number' && typeof id !== 'string') return null;
    const facts: HetznerFacts = {
      region: stringField(body, 'region'),
      availabilityZone: stringField(body, 'availability-zone'),
      instanceId: String(id),
    };
    const ipv4 = stringField(body, 'public-ipv4');
    if (ipv4 !== null) facts.publicIpAddresses = [ipv4];
    return facts;
  },

  portPolicy: HETZNER_POLICY,
  port25Advice: (facts, relayPorts = [587]) =>
    policyAdvice('Hetzner Cloud', inParentheses([facts?.region]), HETZNER_POLICY, relayPorts),

  identifierFields: ['instanceId'],
  publicAddresses: (facts) => facts?.publicIpAddresses ?? [],
  ptrAdvice:
    'On Hetzner Cloud you set the PTR record yourself: give mail.example.com an A record for the address, then in the Hetzner Console open the server, Networking, and edit the reverse DNS of the IP (or `hcloud server set-rdns SERVER --ip ADDRESS --hostname mail.example.com`).',

  metricLabelNames: ['region', 'zone'],
  metricLabels(facts) {
    const labels: Record<string, string> = {};
    if (facts?.region) labels.region = facts.region;
    if (facts?.availabilityZone) labels.zone = facts.availabilityZone;
    return labels;
  },
});

function parseYaml(text: string): unknown {
  try {
    return parse(text) as unknown;
  } catch {
    return undefined;
  }
}
