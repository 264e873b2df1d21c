// Akamai Cloud (Linode). Firmware and metadata as cloud-init reads them (tools/ds-identify
// dscheck_Akamai: sys_vendor Linode or Akamai; DataSourceAkamai.py): PUT /v1/token with
// `Metadata-Token-Expiry-Seconds`, then GET /v1/instance and /v1/network with
// `Metadata-Token`. Policy: since 5 November 2019, Linodes on newly created accounts have
// outbound ports 25, 465 and 587 restricted; the restriction is lifted on a support ticket
// once A and reverse DNS records are set (linode.com/blog/linode/a-new-policy-to-help-fight-spam/).

import { defineCloud, inParentheses, type PortPolicy } from './cloud.js';
import {
  field,
  getJson,
  joinUrl,
  request,
  stringField,
  stringsOf,
  withoutPrefix,
} from './metadata.js';
import { policyAdvice } from './policy-advice.js';

export interface LinodeFacts {
  region: string | null;
  instanceId: string | null;
  publicIpAddresses?: string[];
}

export const LINODE_POLICY: PortPolicy = {
  blockedPorts: [25, 465, 587],
  who: 'accounts created since 5 November 2019',
  exemption:
    'configure valid A records and reverse DNS for the Linode, then open a Support ticket with the information the "Running a Mail Server" guide lists.',
  source: 'https://www.linode.com/blog/linode/a-new-policy-to-help-fight-spam/',
};

const TOKEN_TTL_SECONDS = '60';

export const linode = defineCloud({
  id: 'linode',
  name: 'Akamai Cloud (Linode)',
  dmiSignature: /^(Linode|Akamai)$/m,
  defaultMetadataUrl: 'http://169.254.169.254',

  async queryMetadata(baseUrl, ctx): Promise<LinodeFacts | null> {
    const tokenUrl = joinUrl(baseUrl, '/v1/token');
    const instanceUrl = joinUrl(baseUrl, '/v1/instance');
    const networkUrl = joinUrl(baseUrl, '/v1/network');
    if (tokenUrl === null || instanceUrl === null || networkUrl === null) return null;
    const token = await request(
      tokenUrl,
      { method: 'PUT', headers: { 'Metadata-Token-Expiry-Seconds': TOKEN_TTL_SECONDS } },
      ctx,
    );
    if (token === null || token.body.trim() === '') return null;
    // Without Accept the service answers in plain text lines.
    const headers = { 'Metadata-Token': token.body.trim(), Accept: 'application/json' };
    const [instance, network] = await Promise.all([
      getJson(instanceUrl, headers, ctx),
      getJson(networkUrl, headers, ctx),
    ]);
    const id = field(instance, 'id');
    if (typeof id !== 'number' && typeof id !== 'string') return null;
    const facts: LinodeFacts = { region: stringField(instance, 'region'), instanceId: String(id) };
    const publicIps = [
      ...stringsOf(field(field(network, 'ipv4'), 'public')),
      ...[stringField(field(network, 'ipv6'), 'slaac') ?? []].flat(),
    ].map(withoutPrefix);
    if (publicIps.length > 0) facts.publicIpAddresses = publicIps;
    return facts;
  },

  portPolicy: LINODE_POLICY,
  port25Advice: (facts, relayPorts = []) =>
    policyAdvice(
      'Akamai Cloud (Linode)',
      inParentheses([facts?.region]),
      LINODE_POLICY,
      relayPorts,
    ),

  identifierFields: ['instanceId'],
  publicAddresses: (facts) => facts?.publicIpAddresses ?? [],
  ptrAdvice:
    'On Akamai Cloud (Linode) you set the PTR record yourself: give mail.example.com an A/AAAA record for the address, then in Cloud Manager open the Linode, Network, and edit the rDNS of the address (Linode checks the forward record first).',

  metricLabelNames: ['region'],
  metricLabels: (facts) => (facts?.region ? { region: facts.region } : {}),
});
