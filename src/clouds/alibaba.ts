// Alibaba Cloud ECS. Firmware and metadata as cloud-init reads them (tools/ds-identify
// dscheck_AliYun: product_name "Alibaba Cloud ECS"; DataSourceAliYun.py: http://100.100.100.200,
// a token from PUT /latest/api/token with `X-aliyun-ecs-metadata-token-ttl-seconds`, then GETs
// under /latest/meta-data/ with `X-aliyun-ecs-metadata-token`). Policy: Alibaba Cloud's own mail
// documentation says port 25 is blocked on ECS instances by default and recommends 465 (or 80);
// the unblock application in the ECS console is how accounts ask for an exception.

import { defineCloud, inParentheses, type PortPolicy } from './cloud.js';
import { joinUrl, request } from './metadata.js';
import { policyAdvice } from './policy-advice.js';

export interface AlibabaFacts {
  region: string | null;
  zone: string | null;
  instanceId: string | null;
  publicIpAddresses?: string[];
}

export const ALIBABA_POLICY: PortPolicy = {
  blockedPorts: [25],
  who: 'every ECS instance by default',
  exemption:
    'apply to unblock TCP port 25 in the ECS console (Security, "Apply to Unblock TCP Port 25"); Alibaba Cloud approves it only for some accounts, and recommends port 465 or its DirectMail service.',
  source: 'https://help.aliyun.com/en/document_detail/36687.html',
};

const TOKEN_TTL_SECONDS = '60';
const PATHS = {
  instanceId: '/latest/meta-data/instance-id',
  region: '/latest/meta-data/region-id',
  zone: '/latest/meta-data/zone-id',
  eip: '/latest/meta-data/eipv4',
  publicIp: '/latest/meta-data/public-ipv4',
} as const;

export const alibaba = defineCloud({
  id: 'alibaba',
  name: 'Alibaba Cloud ECS',
  dmiSignature: /^Alibaba Cloud ECS$/m,
  defaultMetadataUrl: 'http://100.100.100.200',

  async queryMetadata(baseUrl, ctx): Promise<AlibabaFacts | null> {
    const tokenUrl = joinUrl(baseUrl, '/latest/api/token');
    if (tokenUrl === null) return null;
    const token = await request(
      tokenUrl,
      {
        method: 'PUT',
        headers: { 'X-aliyun-ecs-metadata-token-ttl-seconds': TOKEN_TTL_SECONDS },
      },
      ctx,
    );
    if (token === null || token.body.trim() === '') return null;
    const headers = { 'X-aliyun-ecs-metadata-token': token.body.trim() };
    const read = async (path: string): Promise<string | null> => {
      const url = joinUrl(baseUrl, path);
      const answer = url === null ? null : await request(url, { method: 'GET', headers }, ctx);
      const text = answer?.body.trim() ?? '';
      return text === '' ? null : text;
    };
    const [instanceId, region, zone, eip, publicIp] = await Promise.all(
      Object.values(PATHS).map(read),
    );
    if (instanceId == null) return null;
    const facts: AlibabaFacts = { region: region ?? null, zone: zone ?? null, instanceId };
    const address = eip ?? publicIp ?? null;
    if (address !== null) facts.publicIpAddresses = [address];
    return facts;
  },

  portPolicy: ALIBABA_POLICY,
  port25Advice: (facts, relayPorts = [465]) =>
    policyAdvice('Alibaba Cloud ECS', inParentheses([facts?.region]), ALIBABA_POLICY, relayPorts),

  identifierFields: ['instanceId'],
  publicAddresses: (facts) => facts?.publicIpAddresses ?? [],
  ptrAdvice:
    'On Alibaba Cloud the PTR record of an ECS public address is set by Alibaba Cloud: give mail.example.com an A record for the address, then open a ticket asking for the reverse DNS entry.',

  metricLabelNames: ['region', 'zone'],
  metricLabels(facts) {
    const labels: Record<string, string> = {};
    if (facts?.region) labels.region = facts.region;
    if (facts?.zone) labels.zone = facts.zone;
    return labels;
  },
});
