// Alibaba Cloud ECS: a token from PUT /latest/api/token, then X-aliyun-ecs-metadata-token.
import { expect, it } from 'vitest';
import { alibaba } from '../../../src/clouds/alibaba.js';
import { fetchWithHeader, fetchWithout } from '../../helpers/cloud-fakes.js';
import { checkCloudModule, FAKE_ADDRESSES } from '../../helpers/cloud-module-checks.js';

checkCloudModule({
  cloud: alibaba,
  platform: 'alibaba',
  facts: { region: 'eu-central-1', zone: 'eu-central-1a', instanceId: 'i-gw8example0000001' },
  publicAddresses: [FAKE_ADDRESSES.ipv4],
  refusals: [
    {
      name: 'the token request lacks its TTL header (400)',
      fetch: fetchWithout('x-aliyun-ecs-metadata-token-ttl-seconds'),
    },
    {
      name: 'the token is stale (401)',
      fetch: fetchWithHeader('x-aliyun-ecs-metadata-token', 'expired'),
    },
  ],
  exemptionWords: /Apply to Unblock TCP Port 25/,
});

it('alibaba: its metadata lives at 100.100.100.200', () => {
  expect(alibaba.defaultMetadataUrl).toBe('http://100.100.100.200');
});
