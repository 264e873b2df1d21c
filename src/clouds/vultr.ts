// Vultr. Firmware and metadata as cloud-init reads them (tools/ds-identify dscheck_Vultr:
// sys_vendor Vultr; helpers/vultr.py: GET http://169.254.169.254/v1.json, which cloud-init sends
// with a `Metadata-Token` header). Policy: Vultr blocks outbound port 25 on new accounts and
// opens it on a support request from an account in good standing.

import { defineCloud, inParentheses, type PortPolicy } from './cloud.js';
import { field, getJson, joinUrl, stringField } from './metadata.js';
import { policyAdvice } from './policy-advice.js';

export interface VultrFacts {
  region: string | null;
  instanceId: string | null;
  publicIpAddresses?: string[];
}

export const VULTR_POLICY: PortPolicy = {
  blockedPorts: [25],
  who: 'new accounts',
  exemption:
    'open a support ticket asking Vultr to unblock SMTP; Vultr reviews the account and its use before it opens port 25.',
  source: 'https://docs.vultr.com/support/products/compute/why-is-smtp-blocked',
};

export const vultr = defineCloud({
  id: 'vultr',
  name: 'Vultr',
  dmiSignature: /^Vultr$/m,
  defaultMetadataUrl: 'http://169.254.169.254',

  async queryMetadata(baseUrl, ctx): Promise<VultrFacts | null> {
    const url = joinUrl(baseUrl, '/v1.json');
    if (url === null) return null;
    const body = await getJson(url, { 'Metadata-Token': 'mxprobe' }, ctx);
    const instanceId = stringField(body, 'instance-v2-id') ?? stringField(body, 'instanceid');
    if (instanceId === null) return null;
    const facts: VultrFacts = {
      region: stringField(field(body, 'region'), 'regioncode'),
      instanceId,
    };
    const publicIps = publicAddressesOf(field(body, 'interfaces'));
    if (publicIps.length > 0) facts.publicIpAddresses = publicIps;
    return facts;
  },

  portPolicy: VULTR_POLICY,
  port25Advice: (facts, relayPorts = [587, 465]) =>
    policyAdvice('Vultr', inParentheses([facts?.region]), VULTR_POLICY, relayPorts),

  identifierFields: ['instanceId'],
  publicAddresses: (facts) => facts?.publicIpAddresses ?? [],
  ptrAdvice:
    'On Vultr you set the PTR record yourself: give mail.example.com an A/AAAA record for the address, then in the customer portal open the instance, Settings, IPv4 (or IPv6), and set its reverse DNS.',

  metricLabelNames: ['region'],
  metricLabels: (facts) => (facts?.region ? { region: facts.region } : {}),
});

/** The public interface's `ipv4.address` and `ipv6.address`. */
function publicAddressesOf(nics: unknown): string[] {
  if (!Array.isArray(nics)) return [];
  return nics
    .filter((nic: unknown) => field(nic, 'network-type') === 'public')
    .flatMap((nic: unknown) =>
      ['ipv4', 'ipv6'].flatMap((family) => stringField(field(nic, family), 'address') ?? []),
    );
}
