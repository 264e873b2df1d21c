// What kind of machine this is: the cloud (through cloud.ts) and, from the attempts, which
// address families have a route (diagnose.ts). Here sits the one rule that keeps cloud
// detection quiet: metadata services are asked only when the machine's own firmware says it
// runs in a cloud, or when their URLs were pointed somewhere explicitly (tests, proxies).
// A probe on a laptop or in a lab never sends a packet toward a link-local metadata address.

import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { detectCloud } from './cloud.js';
import { defaultCloudDetection } from './config.js';
import type { CloudDetectionConfig, ProbeConfig } from './config-types.js';
import type { Environment } from './types.js';

export type CloudFacts = Pick<Environment, 'cloud' | 'azure' | 'aws' | 'gcp'>;

/** DMI fields that name the cloud vendor (as cloud-init's ds-identify reads them). */
const DMI_VENDOR_FILES = ['sys_vendor', 'bios_vendor', 'product_name', 'chassis_asset_tag'];
const CLOUD_DMI_PATTERN = /microsoft|7783-7084-3265-9085-8269-3286-77|amazon|ec2|google/i;

export async function detectEnvironment(
  config: ProbeConfig,
  signal?: AbortSignal,
): Promise<CloudFacts> {
  if (!config.cloud.enabled) return { cloud: 'none' };
  if (usesDefaultUrls(config.cloud) && !(await firmwareSaysCloud(config.cloud.dmiAssetTagPath))) {
    return { cloud: 'none' };
  }
  return detectCloud(config.cloud, signal ? { signal } : {});
}

function usesDefaultUrls(cloud: CloudDetectionConfig): boolean {
  const defaults = defaultCloudDetection();
  return (
    cloud.azureUrl === defaults.azureUrl &&
    cloud.awsUrl === defaults.awsUrl &&
    cloud.gcpUrl === defaults.gcpUrl
  );
}

async function firmwareSaysCloud(assetTagPath: string): Promise<boolean> {
  const dir = dirname(assetTagPath);
  const texts = await Promise.all(
    DMI_VENDOR_FILES.map((name) => readFile(join(dir, name), 'utf8').catch(() => '')),
  );
  return texts.some((text) => CLOUD_DMI_PATTERN.test(text));
}
