// UpCloud. Firmware and metadata as cloud-init reads them (tools/ds-identify dscheck_UpCloud:
// sys_vendor UpCloud; DataSourceUpCloud.py: GET http://169.254.169.254/metadata/v1.json, no
// header — the same path as DigitalOcean's, told apart by the firmware). Policy: "The outbound
// SMTP port 25 is closed by default on all new accounts"; support unlocks it after verifying
// identity or payment method (upcloud.com/docs/products/networking/features/firewall/).

import { defineCloud, inParentheses, type PortPolicy } from './cloud.js';
import { field, getJson, safeUrl, stringField } from './metadata.js';
import { policyAdvice } from './policy-advice.js';

export interface UpCloudFacts {
  region: string | null;
  instanceId: string | null;
  publicIpAddresses?: string[];
}

export const UPCLOUD_POLICY: PortPolicy = {
  blockedPorts: [25],
  who: 'all new accounts',
  exemption:
    'contact UpCloud support with proof of identity or payment method, and explain the use case and why outbound port 25 is needed.',
  source: 'https://upcloud.com/docs/products/networking/features/firewall/',
};

export const upcloud = defineCloud({
  id: 'upcloud',
  name: 'UpCloud',
  dmiSignature: /^UpCloud$/m,
  defaultMetadataUrl: 'http://169.254.169.254/metadata/v1.json',

  async queryMetadata(baseUrl, ctx): Promise<UpCloudFacts | null> {
    const url = safeUrl(baseUrl);
    if (url === null) return null;
    const body = await getJson(url, {}, ctx);
    const instanceId = stringField(body, 'instance_id');
    if (instanceId === null) return null;
    const facts: UpCloudFacts = { region: stringField(body, 'region'), instanceId };
    const publicIps = publicAddressesOf(field(field(body, 'network'), 'interfaces'));
    if (publicIps.length > 0) facts.publicIpAddresses = publicIps;
    return facts;
  },

  portPolicy: UPCLOUD_POLICY,
  port25Advice: (facts, relayPorts = [587, 465]) =>
    policyAdvice('UpCloud', inParentheses([facts?.region]), UPCLOUD_POLICY, relayPorts),

  identifierFields: ['instanceId'],
  publicAddresses: (facts) => facts?.publicIpAddresses ?? [],
  ptrAdvice:
    'On UpCloud you set the PTR record yourself: give mail.example.com an A/AAAA record for the address, then in the control panel open the server, Network, and edit the reverse DNS name of the public IP.',

  metricLabelNames: ['region'],
  metricLabels: (facts) => (facts?.region ? { region: facts.region } : {}),
});

/** `network.interfaces[]` of type public: their `ip_addresses[].address`. */
function publicAddressesOf(nics: unknown): string[] {
  if (!Array.isArray(nics)) return [];
  return nics
    .filter((nic: unknown) => field(nic, 'type') === 'public')
    .flatMap((nic: unknown) => {
      const addresses = field(nic, 'ip_addresses');
      if (!Array.isArray(addresses)) return [];
      return addresses
        .filter((a: unknown) => field(a, 'floating') !== true)
        .flatMap((a: unknown) => stringField(a, 'address') ?? []);
    });
}
