// Which cloud is this machine in? The advice for a blocked port 25 depends on it.
//
// Asked quietly: the machine's own firmware (DMI) is read first, and a metadata service is
// asked only when the firmware names its platform or its URL was configured explicitly (tests,
// proxies). A probe on a laptop or in a lab never sends a packet toward the link-local metadata
// address or looks up metadata.google.internal.
//
// The services worth asking are asked at once, under one deadline, and weighed in registry
// order (Azure first): a cloud's answer stops the ones after it, and it wins once every cloud
// before it has said no. Every failure means "not this cloud"; detection never throws and
// settles within the deadline, so a probe cycle never waits on it for long.

import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { untilAborted } from '../util/abort.js';
import { DMI_FIELDS, type AnyCloud, type Dmi } from './cloud.js';
import { REGISTERED_CLOUDS, type CloudFacts } from './registry.js';

/** Where cloud detection looks (base URLs are configurable so tests can use loopback). */
export interface CloudDetectionConfig {
  enabled: boolean;
  /** Each cloud's metadata base URL, by cloud id (config keys `azureUrl`, `awsUrl`, …). */
  metadataUrls: Readonly<Record<string, string>>;
  /** Give up on every metadata service after this long. */
  timeoutMs: number;
  /** Path of the DMI chassis asset tag; the other DMI fields are read beside it. */
  dmiAssetTagPath: string;
}

export interface DetectCloudOptions {
  signal?: AbortSignal;
  fetch?: typeof fetch;
  /** Reads a DMI file; injectable so tests use temp files. */
  readFile?: (path: string) => Promise<string>;
  /** The clouds to consider; the registry unless a test hands in its own. */
  clouds?: readonly AnyCloud[];
}

export async function detectCloud(
  config: CloudDetectionConfig,
  options: DetectCloudOptions = {},
): Promise<CloudFacts> {
  if (!config.enabled || options.signal?.aborted) return { cloud: 'none' };
  const clouds = options.clouds ?? REGISTERED_CLOUDS;
  const dmi = await readDmi(config.dmiAssetTagPath, options.readFile);
  const urls = servicesToAsk(config, dmiText(dmi), clouds);
  if (!clouds.some((c) => urls[c.id] !== '' || c.factsFromDmi?.(dmi))) return { cloud: 'none' };

  const deadline = new AbortController();
  const stop = (): void => deadline.abort();
  options.signal?.addEventListener('abort', stop, { once: true });
  const timer = setTimeout(stop, config.timeoutMs);
  const fetcher = options.fetch ?? fetch;
  // One controller per cloud, so that a cloud's answer can stop only the ones after it.
  const own = clouds.map(() => new AbortController());
  try {
    const answers = clouds.map(async (cloud, index) => {
      const url = urls[cloud.id] ?? '';
      if (url === '') return null;
      const signal = AbortSignal.any([deadline.signal, own[index]?.signal ?? deadline.signal]);
      // Each query also settles on abort by itself: a fetch that ignores its signal cannot hold
      // detection past the deadline.
      const facts = await untilAborted(
        cloud.queryMetadata(url, { fetch: fetcher, signal }),
        signal,
      ).catch(() => null);
      if (facts !== null) for (const later of own.slice(index + 1)) later.abort();
      return facts;
    });
    for (const [index, cloud] of clouds.entries()) {
      const facts = (await answers[index]) ?? cloud.factsFromDmi?.(dmi) ?? null;
      if (facts !== null) return { cloud: cloud.id, [cloud.id]: facts } as CloudFacts;
    }
    return { cloud: 'none' };
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', stop);
    stop();
  }
}

/**
 * Each cloud's metadata URL if it is worth asking, else '' (never fetched): asked when the URL
 * was configured explicitly or the firmware matches the cloud's signature. Pure.
 */
export function servicesToAsk(
  config: CloudDetectionConfig,
  dmi: string,
  clouds: readonly AnyCloud[] = REGISTERED_CLOUDS,
): Record<string, string> {
  return Object.fromEntries(
    clouds.map((cloud) => {
      const url = config.metadataUrls[cloud.id] ?? cloud.defaultMetadataUrl;
      const ask = url !== cloud.defaultMetadataUrl || cloud.dmiSignature.test(dmi);
      return [cloud.id, ask ? url : ''];
    }),
  );
}

/**
 * The DMI fields: the asset tag from the configured path, the vendor and product names from the
 * files beside it (/sys/class/dmi/id). A field that cannot be read is ''.
 */
export async function readDmi(
  assetTagPath: string,
  read: (path: string) => Promise<string> = (path) => readFile(path, 'utf8'),
): Promise<Dmi> {
  const dir = dirname(assetTagPath);
  const values = await Promise.all(
    DMI_FIELDS.map((name) =>
      read(name === 'chassis_asset_tag' ? assetTagPath : join(dir, name)).catch(() => ''),
    ),
  );
  return Object.fromEntries(DMI_FIELDS.map((name, i) => [name, values[i] ?? ''])) as Dmi;
}

export function dmiText(dmi: Dmi): string {
  return DMI_FIELDS.map((name) => dmi[name]).join('\n');
}
