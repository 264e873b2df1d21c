// Cloud detection against fake metadata services on 127.0.0.1. No test here may reach the
// real link-local metadata address: every config is built from loopback URLs, fetch is
// guarded, and the DMI path is a temp file (or one that does not exist).

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AZURE_ASSET_TAG, AZURE_IMDS_API_VERSION } from '../../src/clouds/azure.js';
import { cloudPublicAddresses, ptrAdvice } from '../../src/clouds/advice.js';
import { detectCloud } from '../../src/clouds/detect.js';
import type { CloudDetectionConfig } from '../../src/config/types.js';
import {
  AWS_DOCUMENT,
  AWS_TOKEN,
  AZURE_DOCUMENT,
  AZURE_DOCUMENT_WITH_PUBLIC_IP,
  awsImdsV2,
  awsImdsV2Serving,
  azureImds,
  azureImdsServing,
  gcpMetadata,
  loopbackOnlyFetch,
  refusedUrls,
  silent,
  startFake,
  type FakeServer,
} from '../helpers/cloud-fakes.js';
import { freePort } from '../helpers/relay-fixtures.js';

const DEADLINE_MS = 300;
/**
 * Slack on a busy test machine after the 300 ms deadline: without a deadline a silent service
 * holds detection until the test times out, so any bound well short of that discriminates.
 */
const MARGIN_MS = 1_500;
/** A deadline long enough that "at once" (an answer, a refusal, an abort) is plainly shorter. */
const LONG_DEADLINE_MS = 5_000;
const AT_ONCE_MS = LONG_DEADLINE_MS / 2;

let dir: string;
let noDmi: string;
let azureTag: string;
const started: FakeServer[] = [];

async function fake(handler: Parameters<typeof startFake>[0]): Promise<FakeServer> {
  const server = await startFake(handler);
  started.push(server);
  return server;
}

async function refusedBase(): Promise<string> {
  return `http://127.0.0.1:${await freePort()}`;
}

function config(
  urls: { azure: string; aws: string; gcp: string },
  extra: Partial<CloudDetectionConfig> = {},
): CloudDetectionConfig {
  return {
    enabled: true,
    metadataUrls: { azure: `${urls.azure}/metadata/instance`, aws: urls.aws, gcp: urls.gcp },
    timeoutMs: DEADLINE_MS,
    dmiAssetTagPath: noDmi,
    ...extra,
  };
}

const detect = (cfg: CloudDetectionConfig, signal?: AbortSignal) =>
  detectCloud(cfg, { fetch: loopbackOnlyFetch, ...(signal ? { signal } : {}) });

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const t0 = performance.now();
  const value = await work();
  return { value, ms: performance.now() - t0 };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mxprobe-cloud-test-'));
  noDmi = join(dir, 'no-such-asset-tag');
  azureTag = join(dir, 'chassis_asset_tag');
  writeFileSync(azureTag, `${AZURE_ASSET_TAG}\n`);
});

afterEach(() => {
  expect(refusedUrls).toEqual([]);
});

afterAll(async () => {
  await Promise.all(started.map((s) => s.close()));
  rmSync(dir, { recursive: true, force: true });
});

describe('detectCloud with nothing answering', () => {
  it('is none at once when every metadata port refuses', async () => {
    const cfg = config(
      {
        azure: await refusedBase(),
        aws: await refusedBase(),
        gcp: await refusedBase(),
      },
      { timeoutMs: LONG_DEADLINE_MS },
    );
    const { value, ms } = await timed(() => detect(cfg));
    expect(value).toEqual({ cloud: 'none' });
    expect(ms).toBeLessThan(AT_ONCE_MS);
  });

  it('gives up within the 300 ms deadline when every metadata service stays silent', async () => {
    const [a, b, c] = await Promise.all([fake(silent), fake(silent), fake(silent)]);
    const { value, ms } = await timed(() =>
      detect(config({ azure: a.base, aws: b.base, gcp: c.base })),
    );
    expect(value).toEqual({ cloud: 'none' });
    expect(ms).toBeGreaterThanOrEqual(DEADLINE_MS - 5);
    expect(ms).toBeLessThan(DEADLINE_MS + MARGIN_MS);
    // All three were asked in parallel, not one after another (GCP: project, zone and external
    // IP at once).
    expect([a, b, c].map((s) => s.requests.length)).toEqual([1, 1, 3]);
  });

  it('stops at once when the caller aborts', async () => {
    const [a, b, c] = await Promise.all([fake(silent), fake(silent), fake(silent)]);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const { value, ms } = await timed(() =>
      detect(
        config({ azure: a.base, aws: b.base, gcp: c.base }, { timeoutMs: LONG_DEADLINE_MS }),
        controller.signal,
      ),
    );
    expect(value).toEqual({ cloud: 'none' });
    expect(ms).toBeLessThan(AT_ONCE_MS);
  });

  it('keeps the deadline even with a fetch that ignores its signal', async () => {
    const cfg = config({
      azure: 'http://127.0.0.1:9',
      aws: 'http://127.0.0.1:9',
      gcp: 'http://127.0.0.1:9',
    });
    const hang: typeof fetch = () => new Promise<Response>(() => undefined);
    const { value, ms } = await timed(() => detectCloud(cfg, { fetch: hang }));
    expect(value).toEqual({ cloud: 'none' });
    expect(ms).toBeLessThan(DEADLINE_MS + MARGIN_MS);
  });

  it('asks nothing when detection is disabled', async () => {
    const a = await fake(azureImds);
    const value = await detect(
      config({ azure: a.base, aws: a.base, gcp: a.base }, { enabled: false }),
    );
    expect(value).toEqual({ cloud: 'none' });
    expect(a.requests).toHaveLength(0);
  });
});

describe('detectCloud on Azure', () => {
  it('reads subscription, location, vmId and environment from IMDS', async () => {
    const azure = await fake(azureImds);
    const value = await detect(
      config({ azure: azure.base, aws: await refusedBase(), gcp: await refusedBase() }),
    );
    expect(value).toEqual({
      cloud: 'azure',
      azure: {
        subscriptionId: AZURE_DOCUMENT.compute.subscriptionId,
        location: 'westeurope',
        vmId: AZURE_DOCUMENT.compute.vmId,
        azEnvironment: 'AzurePublicCloud',
      },
    });
    const [req] = azure.requests;
    expect(req?.method).toBe('GET');
    expect(req?.url).toBe(`/metadata/instance?api-version=${AZURE_IMDS_API_VERSION}`);
    expect(req?.headers.metadata).toBe('true');
  });

  it('answers as soon as Azure IMDS does, without waiting for the others', async () => {
    const [azure, b, c] = await Promise.all([fake(azureImds), fake(silent), fake(silent)]);
    const { value, ms } = await timed(() =>
      detect(
        config({ azure: azure.base, aws: b.base, gcp: c.base }, { timeoutMs: LONG_DEADLINE_MS }),
      ),
    );
    expect(value.cloud).toBe('azure');
    expect(ms).toBeLessThan(AT_ONCE_MS);
  });

  it('takes the DMI asset tag as Azure even when IMDS never answers', async () => {
    const [a, b, c] = await Promise.all([fake(silent), fake(silent), fake(silent)]);
    const { value, ms } = await timed(() =>
      detect(config({ azure: a.base, aws: b.base, gcp: c.base }, { dmiAssetTagPath: azureTag })),
    );
    expect(value).toEqual({
      cloud: 'azure',
      azure: { subscriptionId: null, location: null, vmId: null },
    });
    expect(ms).toBeLessThan(DEADLINE_MS + MARGIN_MS);
  });

  it('still asks IMDS for the facts when the DMI tag says Azure', async () => {
    const azure = await fake(azureImds);
    const value = await detect(
      config(
        { azure: azure.base, aws: await refusedBase(), gcp: await refusedBase() },
        { dmiAssetTagPath: azureTag },
      ),
    );
    expect(value.azure?.subscriptionId).toBe(AZURE_DOCUMENT.compute.subscriptionId);
  });

  it('ignores a DMI tag of another machine', async () => {
    const other = join(dir, 'other_tag');
    writeFileSync(other, 'No Asset Tag\n');
    const value = await detect(
      config(
        { azure: await refusedBase(), aws: await refusedBase(), gcp: await refusedBase() },
        { dmiAssetTagPath: other },
      ),
    );
    expect(value.cloud).toBe('none');
  });

  it('puts Azure first when several services answer', async () => {
    const [azure, aws] = await Promise.all([fake(azureImds), fake(awsImdsV2)]);
    const value = await detect(
      config({ azure: azure.base, aws: aws.base, gcp: await refusedBase() }),
    );
    expect(value.cloud).toBe('azure');
  });

  it('is not Azure when the endpoint answers without the compute section', async () => {
    const bogus = await fake((_req, res) => res.writeHead(200).end('{"hello":"world"}'));
    const value = await detect(
      config({ azure: bogus.base, aws: await refusedBase(), gcp: await refusedBase() }),
    );
    expect(value.cloud).toBe('none');
  });
});

describe('detectCloud on AWS', () => {
  it('follows the IMDSv2 token flow and reads the identity document', async () => {
    const aws = await fake(awsImdsV2);
    const value = await detect(
      config({ azure: await refusedBase(), aws: aws.base, gcp: await refusedBase() }),
    );
    expect(value).toEqual({
      cloud: 'aws',
      aws: {
        region: AWS_DOCUMENT.region,
        instanceId: AWS_DOCUMENT.instanceId,
        accountId: AWS_DOCUMENT.accountId,
      },
    });
    expect(aws.requests.map((r) => `${r.method} ${r.url}`).sort()).toEqual([
      'GET /latest/dynamic/instance-identity/document',
      'GET /latest/meta-data/public-ipv4',
      'PUT /latest/api/token',
    ]);
    expect(aws.requests[0]?.headers['x-aws-ec2-metadata-token-ttl-seconds']).toMatch(/^\d+$/);
    for (const r of aws.requests.slice(1))
      expect(r.headers['x-aws-ec2-metadata-token']).toBe(AWS_TOKEN);
  });

  it('waits for Azure (precedence) but still reports AWS within the deadline', async () => {
    const [azure, aws] = await Promise.all([fake(silent), fake(awsImdsV2)]);
    const cfg = config({ azure: azure.base, aws: aws.base, gcp: await refusedBase() });
    const { value, ms } = await timed(() => detect(cfg));
    expect(value.cloud).toBe('aws');
    expect(ms).toBeLessThan(DEADLINE_MS + MARGIN_MS);
  });
});

describe('detectCloud on GCP', () => {
  it('reads project and zone and checks the Metadata-Flavor answer', async () => {
    const gcp = await fake(gcpMetadata({ flavorHeader: true }));
    const value = await detect(
      config({ azure: await refusedBase(), aws: await refusedBase(), gcp: gcp.base }),
    );
    expect(value).toEqual({
      cloud: 'gcp',
      gcp: { projectId: 'my-project-123', zone: 'europe-west1-b' },
    });
    expect(gcp.requests.every((r) => r.headers['metadata-flavor'] === 'Google')).toBe(true);
  });

  it('does not believe a server that answers without Metadata-Flavor: Google', async () => {
    const impostor = await fake(gcpMetadata({ flavorHeader: false }));
    const value = await detect(
      config({ azure: await refusedBase(), aws: await refusedBase(), gcp: impostor.base }),
    );
    expect(value.cloud).toBe('none');
  });
});

describe('the public address each cloud gives (CONTRACT §10, egress source cloud)', () => {
  it('Azure: the public IPs of the network interfaces, empty ones skipped', async () => {
    const azure = await fake(azureImdsServing(AZURE_DOCUMENT_WITH_PUBLIC_IP));
    const value = await detect(
      config({ azure: azure.base, aws: await refusedBase(), gcp: await refusedBase() }),
    );
    expect(value.azure?.publicIpAddresses).toEqual(['203.0.113.40']);
    expect(cloudPublicAddresses(value)).toEqual(['203.0.113.40']);
  });

  it('AWS: meta-data/public-ipv4 with the session token', async () => {
    const aws = await fake(awsImdsV2Serving('203.0.113.41'));
    const value = await detect(
      config({ azure: await refusedBase(), aws: aws.base, gcp: await refusedBase() }),
    );
    expect(value.aws?.publicIpAddresses).toEqual(['203.0.113.41']);
    expect(cloudPublicAddresses(value)).toEqual(['203.0.113.41']);
  });

  it('GCP: the external IP of the first access config, with Metadata-Flavor', async () => {
    const gcp = await fake(gcpMetadata({ flavorHeader: true, externalIp: '203.0.113.42' }));
    const value = await detect(
      config({ azure: await refusedBase(), aws: await refusedBase(), gcp: gcp.base }),
    );
    expect(value.gcp?.publicIpAddresses).toEqual(['203.0.113.42']);
    expect(cloudPublicAddresses(value)).toEqual(['203.0.113.42']);
  });

  it('none when the metadata has no public address, or outside a cloud', async () => {
    const azure = await fake(azureImds);
    const value = await detect(
      config({ azure: azure.base, aws: await refusedBase(), gcp: await refusedBase() }),
    );
    expect(value.azure).not.toHaveProperty('publicIpAddresses');
    expect(cloudPublicAddresses(value)).toEqual([]);
    expect(cloudPublicAddresses({ cloud: 'none' })).toEqual([]);
  });

  it.each([
    ['azure', /reverse FQDN.*az network public-ip update/],
    ['aws', /Elastic IP.*reverse DNS/],
    ['gcp', /external IP.*--public-ptr-domain/],
    ['none', /whoever holds the address, here the hosting provider or ISP/],
  ] as const)('%s: who sets the PTR record', (cloud, words) => {
    expect(ptrAdvice({ cloud })).toMatch(words);
  });
});
