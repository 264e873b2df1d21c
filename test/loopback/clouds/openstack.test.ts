// A generic OpenStack cloud: meta_data.json, no documented block; it comes last.
import { expect, it } from 'vitest';
import { openstack } from '../../../src/clouds/openstack.js';
import { CLOUDS } from '../../../src/clouds/registry.js';
import { checkCloudModule } from '../../helpers/cloud-module-checks.js';

checkCloudModule({
  cloud: openstack,
  platform: 'openstack',
  facts: { availabilityZone: 'nova', instanceId: '83679162-1378-4288-a2d4-70e13ec132aa' },
  publicAddresses: [],
  refusals: [],
  exemptionWords: /security groups for an egress rule on port 25/,
});

it('openstack: documents no block, and a specific platform is weighed before it', () => {
  expect(openstack.portPolicy).toBeNull();
  expect(CLOUDS.at(-1)?.id).toBe('openstack');
});
