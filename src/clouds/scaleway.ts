// Scaleway Instances. Firmware and metadata as cloud-init reads them (tools/ds-identify
// dscheck_Scaleway: sys_vendor Scaleway; DataSourceScaleway.py: GET
// http://169.254.42.42/conf?format=json, no header). Policy: "By default, remote SMTP ports
// (25, 465, and 587) are blocked"; an Organization that completed identity verification (KYC)
// enables SMTP in the Instance's security group (scaleway/docs-content,
// pages/instances/how-to/send-emails-from-your-instance.mdx).

import { defineCloud, inParentheses, type PortPolicy } from './cloud.js';
import { field, getJson, joinUrl, stringField } from './metadata.js';
import { policyAdvice } from './policy-advice.js';

export interface ScalewayFacts {
  zone: string | null;
  instanceId: string | null;
  organizationId: string | null;
  publicIpAddresses?: string[];
}

export const SCALEWAY_POLICY: PortPolicy = {
  blockedPorts: [25, 465, 587],
  who: 'every Instance until the Organization has verified its identity',
  exemption:
    'complete the identity verification process (KYC) in the Scaleway console, then enable SMTP in the security group of the Instance (CPU & GPU Instances, Security groups).',
  source: 'https://www.scaleway.com/en/docs/instances/how-to/send-emails-from-your-instance/',
};

export const scaleway = defineCloud({
  id: 'scaleway',
  name: 'Scaleway',
  dmiSignature: /^Scaleway$/m,
  defaultMetadataUrl: 'http://169.254.42.42',

  async queryMetadata(baseUrl, ctx): Promise<ScalewayFacts | null> {
    const url = joinUrl(baseUrl, '/conf');
    if (url === null) return null;
    url.searchParams.set('format', 'json');
    const body = await getJson(url, {}, ctx);
    const instanceId = stringField(body, 'id');
    if (instanceId === null) return null;
    const facts: ScalewayFacts = {
      zone: stringField(field(body, 'location'), 'zone_id'),
      instanceId,
      organizationId: stringField(body, 'organization'),
    };
    const publicIps = [
      stringField(field(body, 'public_ip'), 'address'),
      stringField(field(body, 'ipv6'), 'address'),
    ].filter((a): a is string => a !== null);
    if (publicIps.length > 0) facts.publicIpAddresses = publicIps;
    return facts;
  },

  portPolicy: SCALEWAY_POLICY,
  port25Advice: (facts, relayPorts = []) =>
    policyAdvice('Scaleway', inParentheses([facts?.zone]), SCALEWAY_POLICY, relayPorts),

  identifierFields: ['instanceId', 'organizationId'],
  publicAddresses: (facts) => facts?.publicIpAddresses ?? [],
  ptrAdvice:
    'On Scaleway you set the PTR record yourself: give mail.example.com an A/AAAA record for the address, then in the console open the flexible IP (Instances, Flexible IPs) and edit its reverse DNS.',

  metricLabelNames: ['zone'],
  metricLabels: (facts) => (facts?.zone ? { zone: facts.zone } : {}),
});
