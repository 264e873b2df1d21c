// What every cloud module must do, checked the same way for each (test/loopback/clouds/*.test.ts):
// its metadata client against a fake that answers as the service documents, the answers the
// real service gives a wrong header or a refused token, its firmware signature, its policy, and
// advice that names the exemption path and never recommends a port the policy blocks.

import { describe, expect, it } from 'vitest';
import { cloudAdvice } from '../../src/clouds/advice.js';
import { STANDARD_RELAY_PORTS, type AnyCloud, type Dmi } from '../../src/clouds/cloud.js';
import { dmiText, servicesToAsk } from '../../src/clouds/detect.js';
import { REGISTERED_CLOUDS, type CloudFacts } from '../../src/clouds/registry.js';
import { defaultCloudDetection } from '../../src/config/default-config.js';
import {
  FAKE_ADDRESSES,
  metadataService,
  PLATFORM_DMI,
  queryOnLoopback,
  refusedUrls,
  type FakePlatform,
} from './cloud-fakes.js';

export interface CloudModuleSpec {
  cloud: AnyCloud;
  platform: FakePlatform;
  facts: object;
  publicAddresses: string[];
  /** Requests the real service turns away: a fetch that sends them, and what goes wrong. */
  refusals: { name: string; fetch: typeof fetch }[];
  /** Words of the exemption path that the advice must carry. */
  exemptionWords: RegExp;
}

export function dmiOf(platform: FakePlatform): Dmi {
  return {
    sys_vendor: '',
    bios_vendor: '',
    product_name: '',
    chassis_asset_tag: '',
    ...PLATFORM_DMI[platform],
  };
}

/** Relay ports the advice may name under this policy: the standard ones it does not block. */
function allowedRelayPorts(cloud: AnyCloud): number[] {
  const blocked = cloud.portPolicy?.blockedPorts ?? [];
  return STANDARD_RELAY_PORTS.filter((p) => !blocked.includes(p));
}

export function checkCloudModule(spec: CloudModuleSpec): void {
  const { cloud } = spec;

  describe(`${cloud.id}: the metadata client`, () => {
    it('reads the facts and public addresses from a service that answers as documented', async () => {
      const { facts, requests } = await queryOnLoopback(cloud, metadataService(spec.platform));
      expect(requests.length).toBeGreaterThan(0);
      expect(facts).toMatchObject(spec.facts);
      expect(cloud.publicAddresses?.(facts ?? undefined) ?? []).toEqual(spec.publicAddresses);
      expect(refusedUrls).toEqual([]);
    });

    it.each(spec.refusals)('gets no facts when $name', async ({ fetch }) => {
      const { facts, requests } = await queryOnLoopback(
        cloud,
        metadataService(spec.platform),
        fetch,
      );
      expect(requests.length).toBeGreaterThan(0);
      expect(facts).toBeNull();
    });

    it("gets no facts from another platform's service at the same address", async () => {
      const other: FakePlatform = spec.platform === 'openstack' ? 'hetzner' : 'openstack';
      const { facts } = await queryOnLoopback(cloud, metadataService(other));
      expect(facts).toBeNull();
    });
  });

  describe(`${cloud.id}: firmware, policy and advice`, () => {
    it('is asked when its own firmware shows, and by no other platform', () => {
      const text = dmiText(dmiOf(spec.platform));
      const asked = servicesToAsk(defaultCloudDetection(), text);
      expect(asked[cloud.id]).toBe(cloud.defaultMetadataUrl);
      const othersAsked = REGISTERED_CLOUDS.filter((c) => c.id !== cloud.id && asked[c.id] !== '');
      expect(othersAsked.map((c) => c.id)).toEqual([]);
    });

    it('states a documented policy with its source page', () => {
      const policy = cloud.portPolicy;
      if (policy === null) {
        expect(cloud.id).toBe('openstack');
        return;
      }
      expect(policy.blockedPorts).toContain(25);
      expect(policy.who).not.toBe('');
      expect(policy.exemption).not.toBe('');
      expect(policy.source).toMatch(/^https:\/\/[^\s]+$/);
    });

    it('advises the exemption path and recommends no port the policy blocks', () => {
      const env = { cloud: cloud.id, [cloud.id]: spec.facts } as CloudFacts;
      const advice = cloudAdvice(env, allowedRelayPorts(cloud));
      expect(advice.length).toBeGreaterThan(0);
      expect(advice[0]).toContain(cloud.name);
      expect(advice.join('\n')).toMatch(spec.exemptionWords);
      for (const port of cloud.portPolicy?.blockedPorts ?? []) {
        const recommending = advice.filter((line) =>
          new RegExp(`relay on port[^.]*\\b${port}\\b`).test(line),
        );
        expect(recommending).toEqual([]);
      }
    });

    it('keeps identifiers out of the metric labels', () => {
      const labels = cloud.metricLabels(spec.facts);
      for (const field of cloud.identifierFields) {
        const value = (spec.facts as Record<string, unknown>)[field];
        expect(Object.values(labels)).not.toContain(value);
      }
    });
  });
}

export { FAKE_ADDRESSES };
