// DigitalOcean: /metadata/v1.json, no header; 25 blocked on all Droplets of new accounts.
import { expect, it } from 'vitest';
import { digitalocean } from '../../../src/clouds/digitalocean.js';
import { queryOnLoopback } from '../../helpers/cloud-fakes.js';
import { checkCloudModule, FAKE_ADDRESSES } from '../../helpers/cloud-module-checks.js';

checkCloudModule({
  cloud: digitalocean,
  platform: 'digitalocean',
  facts: { region: 'fra1', dropletId: '2756294' },
  publicAddresses: [FAKE_ADDRESSES.ipv4, FAKE_ADDRESSES.ipv6],
  refusals: [],
  exemptionWords: /does not lift the block for new accounts/,
});

it('digitalocean: a document without droplet_id is not a Droplet', async () => {
  const { facts } = await queryOnLoopback(digitalocean, (_req, res) =>
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"region":"fra1"}'),
  );
  expect(facts).toBeNull();
});
