// UpCloud: /metadata/v1.json like DigitalOcean's path, told apart by the firmware.
import { expect, it } from 'vitest';
import { digitalocean } from '../../../src/clouds/digitalocean.js';
import { upcloud } from '../../../src/clouds/upcloud.js';
import { metadataService, queryOnLoopback } from '../../helpers/cloud-fakes.js';
import { checkCloudModule, FAKE_ADDRESSES } from '../../helpers/cloud-module-checks.js';

checkCloudModule({
  cloud: upcloud,
  platform: 'upcloud',
  facts: { region: 'de-fra1', instanceId: '00aa0000-1111-4222-8333-444444444444' },
  publicAddresses: [FAKE_ADDRESSES.ipv4, FAKE_ADDRESSES.ipv6],
  refusals: [],
  exemptionWords: /proof of identity or payment method/,
});

it("upcloud and digitalocean share a path but not a document: neither reads the other's", async () => {
  expect(upcloud.defaultMetadataUrl).toBe(digitalocean.defaultMetadataUrl);
  expect((await queryOnLoopback(upcloud, metadataService('digitalocean'))).facts).toBeNull();
  expect((await queryOnLoopback(digitalocean, metadataService('upcloud'))).facts).toBeNull();
});
