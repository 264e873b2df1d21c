// Hetzner Cloud: YAML metadata, no header; 25 and 465 blocked for new accounts.
import { describe, expect, it } from 'vitest';
import { hetzner } from '../../../src/clouds/hetzner.js';
import { fetchWithout, queryOnLoopback } from '../../helpers/cloud-fakes.js';
import { checkCloudModule, FAKE_ADDRESSES } from '../../helpers/cloud-module-checks.js';

checkCloudModule({
  cloud: hetzner,
  platform: 'hetzner',
  facts: { region: 'eu-central', availabilityZone: 'fsn1-dc14', instanceId: '42424242' },
  publicAddresses: [FAKE_ADDRESSES.ipv4],
  refusals: [],
  exemptionWords: /first invoice is paid, send an unblock request/,
});

describe('hetzner: the YAML answer', () => {
  it('reads YAML, and a JSON-minded parser would have failed on it', async () => {
    const { facts } = await queryOnLoopback(hetzner, (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('instance-id: 7\nregion: us-east\n');
    });
    expect(facts).toEqual({ region: 'us-east', availabilityZone: null, instanceId: '7' });
  });

  it('gets no facts from text that is not YAML of an instance', async () => {
    const { facts } = await queryOnLoopback(
      hetzner,
      (_req, res) => res.writeHead(200).end('{{ not: yaml'),
      fetchWithout(),
    );
    expect(facts).toBeNull();
  });

  it('blocks 25 and 465', () => {
    expect(hetzner.portPolicy?.blockedPorts).toEqual([25, 465]);
  });
});
