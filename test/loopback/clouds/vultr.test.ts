// Vultr: /v1.json.
import { vultr } from '../../../src/clouds/vultr.js';
import { checkCloudModule, FAKE_ADDRESSES } from '../../helpers/cloud-module-checks.js';

checkCloudModule({
  cloud: vultr,
  platform: 'vultr',
  facts: { region: 'FRA', instanceId: 'a1b2c3d4-0000-4000-8000-000000000001' },
  publicAddresses: [FAKE_ADDRESSES.ipv4, FAKE_ADDRESSES.ipv6],
  refusals: [],
  exemptionWords: /support ticket asking Vultr to unblock SMTP/,
});
