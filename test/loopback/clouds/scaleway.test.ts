// Scaleway: /conf?format=json at 169.254.42.42; 25, 465 and 587 blocked until KYC.
import { expect, it } from 'vitest';
import { scaleway } from '../../../src/clouds/scaleway.js';
import { metadataService, queryOnLoopback } from '../../helpers/cloud-fakes.js';
import { checkCloudModule, FAKE_ADDRESSES } from '../../helpers/cloud-module-checks.js';

checkCloudModule({
  cloud: scaleway,
  platform: 'scaleway',
  facts: {
    zone: 'fr-par-1',
    instanceId: '11111111-2222-4333-8444-555555555555',
    organizationId: '99999999-8888-4777-8666-555555555555',
  },
  publicAddresses: [FAKE_ADDRESSES.ipv4, FAKE_ADDRESSES.ipv6],
  refusals: [],
  exemptionWords: /identity verification process \(KYC\)/,
});

it('scaleway: asks for JSON (the service answers KEY=value lines otherwise)', async () => {
  const { requests } = await queryOnLoopback(scaleway, metadataService('scaleway'));
  expect(requests.map((r) => r.url)).toEqual(['/conf?format=json']);
  expect(scaleway.defaultMetadataUrl).toBe('http://169.254.42.42');
});
