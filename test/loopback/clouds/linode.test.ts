// Akamai (Linode): a token first (PUT, Metadata-Token-Expiry-Seconds), then Metadata-Token.
import { expect, it } from 'vitest';
import { linode } from '../../../src/clouds/linode.js';
import {
  fetchWithHeader,
  fetchWithout,
  metadataService,
  queryOnLoopback,
} from '../../helpers/cloud-fakes.js';
import { checkCloudModule, FAKE_ADDRESSES } from '../../helpers/cloud-module-checks.js';

checkCloudModule({
  cloud: linode,
  platform: 'linode',
  facts: { region: 'eu-central', instanceId: '12345678' },
  publicAddresses: [FAKE_ADDRESSES.ipv4, FAKE_ADDRESSES.ipv6],
  refusals: [
    {
      name: 'the token is refused for a bad expiry (400)',
      fetch: fetchWithHeader('metadata-token-expiry-seconds', '0'),
    },
    { name: 'the token is not sent (401)', fetch: fetchWithout('metadata-token') },
    { name: 'the token is stale (401)', fetch: fetchWithHeader('metadata-token', 'expired') },
  ],
  exemptionWords: /reverse DNS for the Linode, then open a Support ticket/,
});

it('linode: PUTs for the token, then GETs with it', async () => {
  const { requests } = await queryOnLoopback(linode, metadataService('linode'));
  expect(requests[0]).toMatchObject({ method: 'PUT', url: '/v1/token' });
  const gets = requests.slice(1);
  expect(gets.length).toBeGreaterThan(0);
  for (const get of gets) expect(get.headers['metadata-token']).toBeDefined();
});

it('linode: 25, 465 and 587 are blocked, so advice recommends no standard port', () => {
  expect(linode.portPolicy?.blockedPorts).toEqual([25, 465, 587]);
  const advice = linode.port25Advice({ region: 'eu-central', instanceId: '1' }, []);
  expect(advice.join('\n')).not.toMatch(/relay on port/);
  expect(advice.join('\n')).toMatch(/no SMTP submission port is open here/);
});
