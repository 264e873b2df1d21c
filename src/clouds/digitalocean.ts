// DigitalOcean Droplets. Firmware and metadata as cloud-init reads them (tools/ds-identify
// dscheck_DigitalOcean: sys_vendor DigitalOcean; DataSourceDigitalOcean.py: GET
// http://169.254.169.254/metadata/v1.json, no header). Policy: "SMTP port 25 is blocked on all
// Droplets for new accounts" (docs.digitalocean.com/support/why-is-smtp-blocked/).

import { defineCloud, inParentheses, type PortPolicy } from './cloud.js';
import { field, getJson, safeUrl, stringField } from './metadata.js';
import { policyAdvice } from './policy-advice.js';

export interface DigitalOceanFacts {
  region: string | null;
  dropletId: string | null;
  publicIpAddresses?: string[];
}

export const DIGITALOCEAN_POLICY: PortPolicy = {
  blockedPorts: [25],
  who: 'all Droplets of new accounts',
  exemption:
    'DigitalOcean does not lift the block for new accounts and recommends a dedicated email delivery platform such as SendGrid.',
  source: 'https://docs.digitalocean.com/support/why-is-smtp-blocked/',
};

export const digitalocean = defineCloud({
  id: 'digitalocean',
  name: 'DigitalOcean',
  dmiSignature: /^DigitalOcean$/m,
  defaultMetadataUrl: 'http://169.254.169.254/metadata/v1.json',

  async queryMetadata(baseUrl, ctx): Promise<DigitalOceanFacts | null> {
    const url = safeUrl(baseUrl);
    if (url === null) return null;
    const body = await getJson(url, {}, ctx);
    const id = field(body, 'droplet_id');
    if (typeof id !== 'number' && typeof id !== 'string') return null;
    const facts: DigitalOceanFacts = { region: stringField(body, 'region'), dropletId: String(id) };
    const publicIps = publicAddressesOf(field(field(body, 'interfaces'), 'public'));
    if (publicIps.length > 0) facts.publicIpAddresses = publicIps;
    return facts;
  },

  portPolicy: DIGITALOCEAN_POLICY,
  port25Advice: (facts, relayPorts = [587, 465]) =>
    policyAdvice('DigitalOcean', inParentheses([facts?.region]), DIGITALOCEAN_POLICY, relayPorts),

  identifierFields: ['dropletId'],
  publicAddresses: (facts) => facts?.publicIpAddresses ?? [],
  ptrAdvice:
    "On DigitalOcean the PTR record of a Droplet's address is its name: rename the Droplet to the fully qualified name (mail.example.com) whose A/AAAA record is the address, and DigitalOcean sets the PTR from it.",

  metricLabelNames: ['region'],
  metricLabels: (facts) => (facts?.region ? { region: facts.region } : {}),
});

/** `interfaces.public[].ipv4.ip_address` and `.ipv6.ip_address`. */
function publicAddressesOf(nics: unknown): string[] {
  if (!Array.isArray(nics)) return [];
  return nics.flatMap((nic: unknown) =>
    ['ipv4', 'ipv6'].flatMap((family) => stringField(field(nic, family), 'ip_address') ?? []),
  );
}
