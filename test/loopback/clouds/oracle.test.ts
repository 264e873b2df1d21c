// Oracle Cloud Infrastructure: IMDS v2 with `Authorization: Bearer Oracle` (401 without it).
import { describe, expect, it } from 'vitest';
import { oracle } from '../../../src/clouds/oracle.js';
import { fetchWithHeader, fetchWithout, metadataService } from '../../helpers/cloud-fakes.js';
import { checkCloudModule } from '../../helpers/cloud-module-checks.js';

checkCloudModule({
  cloud: oracle,
  platform: 'oracle',
  facts: {
    region: 'eu-frankfurt-1',
    availabilityDomain: 'Uocm:EU-FRANKFURT-1-AD-1',
    instanceId: 'ocid1.instance.oc1.eu-frankfurt-1.aaaaexample',
  },
  publicAddresses: [],
  refusals: [
    { name: 'the Authorization header is missing (401)', fetch: fetchWithout('authorization') },
    {
      name: 'the bearer is not Oracle (401)',
      fetch: fetchWithHeader('authorization', 'Bearer Other'),
    },
  ],
  exemptionWords: /service request asking Oracle to remove the port 25 restriction/,
});

describe('oracle: the fake answers as IMDS v2 does', () => {
  it('401 without the bearer header, 404 for another path', async () => {
    const { startFake } = await import('../../helpers/cloud-fakes.js');
    const server = await startFake(metadataService('oracle'));
    try {
      const bare = await fetch(`${server.base}/opc/v2/instance/`);
      expect(bare.status).toBe(401);
      const other = await fetch(`${server.base}/opc/v2/nothing`, {
        headers: { Authorization: 'Bearer Oracle' },
      });
      expect(other.status).toBe(404);
    } finally {
      await server.close();
    }
  });
});
