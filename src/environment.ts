// Which cloud this machine is in, asked quietly. The one rule kept here: a metadata service is
// asked only when the machine's own firmware (DMI) names its vendor, or when its URL was
// configured explicitly (tests, proxies). A probe on a laptop or in a lab never sends a packet
// toward the link-local metadata address or looks up metadata.google.internal.

import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { detectCloud, type CloudFacts } from './cloud.js';
import { defaultCloudDetection } from './config.js';
import type { CloudDetectionConfig, ProbeConfig } from './config-types.js';

export type { CloudFacts } from './cloud.js';

/** DMI fields that name the platform (the ones cloud-init's ds-identify reads). */
const DMI_FILES = ['sys_vendor', 'bios_vendor', 'product_name', 'chassis_asset_tag'];
const VENDOR_PATTERNS = {
  azure: /microsoft|7783-7084-3265-9085-8269-3286-77/i,
  aws: /amazon|ec2/i,
  gcp: /google/i,
} as const;

export async function detectEnvironment(
  config: ProbeConfig,
  signal?: AbortSignal,
): Promise<CloudFacts> {
  if (!config.cloud.enabled) return { cloud: 'none' };
  const dmi = await readDmi(config.cloud.dmiAssetTagPath);
  const cloud = servicesToAsk(config.cloud, dmi);
  if (!cloud.azureUrl && !cloud.awsUrl && !cloud.gcpUrl) return { cloud: 'none' };
  return detectCloud(cloud, signal ? { signal } : {});
}

/**
 * The detection config with every service that has no reason to be asked switched off (an
 * empty base URL is never fetched). Pure.
 */
export function servicesToAsk(cloud: CloudDetectionConfig, dmi: string): CloudDetectionConfig {
  const defaults = defaultCloudDetection();
  const keep = (url: string, fallback: string, vendor: RegExp): string =>
    url !== fallback || vendor.test(dmi) ? url : '';
  return {
    ...cloud,
    azureUrl: keep(cloud.azureUrl, defaults.azureUrl, VENDOR_PATTERNS.azure),
    awsUrl: keep(cloud.awsUrl, defaults.awsUrl, VENDOR_PATTERNS.aws),
    gcpUrl: keep(cloud.gcpUrl, defaults.gcpUrl, VENDOR_PATTERNS.gcp),
  };
}

/** The DMI vendor fields beside the configured asset-tag path, joined; '' where there are none. */
async function readDmi(assetTagPath: string): Promise<string> {
  const dir = dirname(assetTagPath);
  const texts = await Promise.all(
    DMI_FILES.map((name) => readFile(join(dir, name), 'utf8').catch(() => '')),
  );
  return texts.join('\n');
}
