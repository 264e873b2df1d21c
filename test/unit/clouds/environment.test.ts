import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { detectCloud, servicesToAsk } from '../../../src/clouds/detect.js';
import { defaultCloudDetection, defaultConfig } from '../../../src/config/default-config.js';

describe('servicesToAsk: metadata services are asked only with a reason', () => {
  const defaults = defaultCloudDetection();

  it('asks nobody on a machine whose firmware names no cloud', () => {
    const c = servicesToAsk(defaults, 'QEMU\nStandard PC');
    expect([c.azure, c.aws, c.gcp]).toEqual(['', '', '']);
  });

  it.each([
    ['Microsoft Corporation', 'azure'],
    ['7783-7084-3265-9085-8269-3286-77', 'azure'],
    ['Amazon EC2', 'aws'],
    ['Google Compute Engine', 'gcp'],
  ])('firmware %j → asks only %s', (dmi, cloud) => {
    const c = servicesToAsk(defaults, dmi);
    expect({ azure: c.azure !== '', aws: c.aws !== '', gcp: c.gcp !== '' }).toEqual({
      azure: cloud === 'azure',
      aws: cloud === 'aws',
      gcp: cloud === 'gcp',
    });
  });

  it('asks a service whose URL was configured explicitly, and only that one', () => {
    const c = servicesToAsk(
      {
        ...defaults,
        metadataUrls: {
          ...defaults.metadataUrls,
          azure: 'http://127.0.0.1:8080/metadata/instance',
        },
      },
      '',
    );
    expect([c.azure, c.aws, c.gcp]).toEqual(['http://127.0.0.1:8080/metadata/instance', '', '']);
  });
});

describe('detectCloud without a reason to ask', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('without a cloud signal it answers none and sends nothing at all', async () => {
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    const dir = mkdtempSync(join(tmpdir(), 'mxprobe-dmi-'));
    writeFileSync(join(dir, 'sys_vendor'), 'QEMU\n');
    const config = defaultConfig();
    config.cloud.dmiAssetTagPath = join(dir, 'chassis_asset_tag');
    expect(await detectCloud(config.cloud)).toEqual({ cloud: 'none' });
    expect(fetchSpy).not.toHaveBeenCalled();
  });

  it('switched off, it answers none', async () => {
    const config = defaultConfig();
    config.cloud.enabled = false;
    expect(await detectCloud(config.cloud)).toEqual({ cloud: 'none' });
  });
});
