// Amazon EC2: IMDSv2 (a session token first, then the identity document). Advice is a short
// summary of AWS's public documentation as of 2024.

import { defineCloud, inParentheses, relayWay, STANDARD_RELAY_PORTS } from './cloud.js';
import { getJson, joinUrl, request, stringField } from './metadata.js';

export interface AwsFacts {
  region: string | null;
  instanceId: string | null;
  accountId: string | null;
  /** `meta-data/public-ipv4` (absent when the instance has no public IPv4 address). */
  publicIpAddresses?: string[];
}

const TOKEN_TTL_SECONDS = '60';

export const aws = defineCloud({
  id: 'aws',
  name: 'AWS EC2',
  dmiSignature: /amazon|ec2/i,
  defaultMetadataUrl: 'http://169.254.169.254',

  /** PUT a session token, then GET the identity document and the public IPv4 with it. */
  async queryMetadata(baseUrl, ctx): Promise<AwsFacts | null> {
    const tokenUrl = joinUrl(baseUrl, '/latest/api/token');
    const documentUrl = joinUrl(baseUrl, '/latest/dynamic/instance-identity/document');
    const publicIpUrl = joinUrl(baseUrl, '/latest/meta-data/public-ipv4');
    if (tokenUrl === null || documentUrl === null || publicIpUrl === null) return null;
    const token = await request(
      tokenUrl,
      { method: 'PUT', headers: { 'X-aws-ec2-metadata-token-ttl-seconds': TOKEN_TTL_SECONDS } },
      ctx,
    );
    if (token === null || token.body.trim() === '') return null;
    const headers = { 'X-aws-ec2-metadata-token': token.body.trim() };
    const [document, publicIp] = await Promise.all([
      getJson(documentUrl, headers, ctx),
      request(publicIpUrl, { method: 'GET', headers }, ctx),
    ]);
    if (document === undefined) return null;
    const facts: AwsFacts = {
      region: stringField(document, 'region'),
      instanceId: stringField(document, 'instanceId'),
      accountId: stringField(document, 'accountId'),
    };
    const address = publicIp?.body.trim() ?? '';
    if (address !== '') facts.publicIpAddresses = [address];
    return facts.instanceId !== null ? facts : null;
  },

  portPolicy: {
    blockedPorts: [25],
    who: 'every EC2 instance by default (throttled, in effect blocked)',
    exemption:
      'The account owner asks AWS to remove the limit with the "Request to remove email sending limitations" form; AWS reviews each request.',
    source: 'https://repost.aws/knowledge-center/ec2-port-25-throttle',
  },

  port25Advice(facts, relayPorts = STANDARD_RELAY_PORTS) {
    const where = inParentheses([
      facts?.region,
      facts?.accountId != null ? `account ${facts.accountId}` : null,
    ]);
    return [
      `This VM runs in AWS EC2${where}: as documented by AWS (2024), EC2 throttles and blocks outbound TCP port 25 from all instances by default.`,
      'The account owner can ask AWS to lift it with the "Request to remove email sending limitations" form; AWS reviews each request.',
      `Without an exemption, ${relayWay(relayPorts)} (Amazon SES or another provider); EC2 does not restrict the submission ports.`,
    ];
  },

  identifierFields: ['accountId', 'instanceId'],
  publicAddresses: (facts) => facts?.publicIpAddresses ?? [],

  ptrAdvice:
    'On AWS only an Elastic IP address gets a PTR record of your choice: give a name of yours an A record for the address, then request reverse DNS for the Elastic IP (EC2 console, Elastic IPs, "Update reverse DNS", or `aws ec2 modify-address-attribute --allocation-id eipalloc-… --domain-name mail.example.com`); an auto-assigned public IPv4 address has to be replaced by an Elastic IP first.',

  metricLabelNames: ['region'],
  metricLabels: (facts) => (facts?.region ? { region: facts.region } : {}),
});
