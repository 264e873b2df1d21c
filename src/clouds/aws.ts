// Amazon EC2: IMDSv2 (a session token first, then the identity document). Advice is a short
// summary of AWS's public documentation as of 2024.

import { defineCloud, inParentheses } from './cloud.js';
import { getJson, joinUrl, request, stringField } from './metadata.js';

export interface AwsFacts {
  region: string | null;
  instanceId: string | null;
  accountId: string | null;
}

const TOKEN_TTL_SECONDS = '60';

export const aws = defineCloud({
  id: 'aws',
  name: 'AWS EC2',
  dmiSignature: /amazon|ec2/i,
  defaultMetadataUrl: 'http://169.254.169.254',

  /** PUT a session token, then GET the instance identity document with it. */
  async queryMetadata(baseUrl, ctx): Promise<AwsFacts | null> {
    const tokenUrl = joinUrl(baseUrl, '/latest/api/token');
    const documentUrl = joinUrl(baseUrl, '/latest/dynamic/instance-identity/document');
    if (tokenUrl === null || documentUrl === null) return null;
    const token = await request(
      tokenUrl,
      { method: 'PUT', headers: { 'X-aws-ec2-metadata-token-ttl-seconds': TOKEN_TTL_SECONDS } },
      ctx,
    );
    if (token === null || token.body.trim() === '') return null;
    const document = await getJson(
      documentUrl,
      { 'X-aws-ec2-metadata-token': token.body.trim() },
      ctx,
    );
    if (document === undefined) return null;
    const facts: AwsFacts = {
      region: stringField(document, 'region'),
      instanceId: stringField(document, 'instanceId'),
      accountId: stringField(document, 'accountId'),
    };
    return facts.instanceId !== null ? facts : null;
  },

  port25Advice(facts) {
    const where = inParentheses([
      facts?.region,
      facts?.accountId != null ? `account ${facts.accountId}` : null,
    ]);
    return [
      `This VM runs in AWS EC2${where}: as documented by AWS (2024), EC2 throttles and blocks outbound TCP port 25 from all instances by default.`,
      'The account owner can ask AWS to lift it with the "Request to remove email sending limitations" form; AWS reviews each request.',
      'Without an exemption, send through Amazon SES or another authenticated relay on port 587 or 465, which are not restricted.',
    ];
  },

  identifierFields: ['accountId', 'instanceId'],
  metricLabelNames: ['region'],
  metricLabels: (facts) => (facts?.region ? { region: facts.region } : {}),
});
