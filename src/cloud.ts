// Which cloud is this VM in? The advice for a blocked port 25 depends on it (CONTRACT §4, §9).
//
// The free local signal comes first: on Azure the DMI chassis asset tag is a fixed string.
// Then the three instance-metadata services are asked at once, under one deadline, and the
// answers are weighed Azure first, then AWS, then GCP. Every failure means "not this cloud";
// detection never throws and always settles within the deadline, so a probe cycle never waits
// on it for long.

import { readFile } from 'node:fs/promises';
import type { CloudDetectionConfig } from './config-types.js';
import type { AzureFacts, Environment } from './types.js';

export type CloudFacts = Pick<Environment, 'cloud' | 'azure' | 'aws' | 'gcp'>;
type AwsFacts = NonNullable<Environment['aws']>;
type GcpFacts = NonNullable<Environment['gcp']>;

export interface DetectCloudOptions {
  signal?: AbortSignal;
  /** Reads the DMI asset tag; injectable so tests use a temp file or none. */
  readFile?: (path: string) => Promise<string>;
  fetch?: typeof fetch;
}

/** Azure sets this chassis asset tag on every VM (Hyper-V's "Virtual Machine" tag). */
export const AZURE_ASSET_TAG = '7783-7084-3265-9085-8269-3286-77';

/** Pinned so the response shape does not change under us. */
export const AZURE_IMDS_API_VERSION = '2021-02-01';

const AWS_TOKEN_TTL_SECONDS = '60';

export async function detectCloud(
  config: CloudDetectionConfig,
  options: DetectCloudOptions = {},
): Promise<CloudFacts> {
  if (!config.enabled || options.signal?.aborted) return { cloud: 'none' };

  const controller = new AbortController();
  const stop = (): void => controller.abort();
  options.signal?.addEventListener('abort', stop, { once: true });
  const timer = setTimeout(stop, config.timeoutMs);
  const ctx: QueryContext = { fetch: options.fetch ?? fetch, signal: controller.signal };
  const read = options.readFile ?? ((path: string) => readFile(path, 'utf8'));

  try {
    const dmiAzure = untilAborted(readAssetTag(read, config.dmiAssetTagPath), ctx.signal, false);
    // Each query also settles on abort by itself, so even a fetch that ignores its signal
    // cannot hold detection past the deadline.
    const azure = untilAborted(queryAzure(config.azureUrl, ctx), ctx.signal, null).then((facts) => {
      // Azure wins over anything the others might say: stop them.
      if (facts !== null) stop();
      return facts;
    });
    const aws = untilAborted(queryAws(config.awsUrl, ctx), ctx.signal, null);
    const gcp = untilAborted(queryGcp(config.gcpUrl, ctx), ctx.signal, null);
    const [onAzure, azureFacts, awsFacts, gcpFacts] = await Promise.all([
      dmiAzure,
      azure,
      aws,
      gcp,
    ]);

    if (azureFacts !== null) return { cloud: 'azure', azure: azureFacts };
    if (onAzure) {
      return { cloud: 'azure', azure: { subscriptionId: null, location: null, vmId: null } };
    }
    if (awsFacts !== null) return { cloud: 'aws', aws: awsFacts };
    if (gcpFacts !== null) return { cloud: 'gcp', gcp: gcpFacts };
    return { cloud: 'none' };
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', stop);
    stop();
  }
}

interface QueryContext {
  fetch: typeof fetch;
  signal: AbortSignal;
}

async function readAssetTag(
  read: (path: string) => Promise<string>,
  path: string,
): Promise<boolean> {
  try {
    return (await read(path)).trim() === AZURE_ASSET_TAG;
  } catch {
    return false;
  }
}

/** Azure IMDS: GET {azureUrl}?api-version=…, header `Metadata: true`. */
async function queryAzure(baseUrl: string, ctx: QueryContext): Promise<AzureFacts | null> {
  const url = safeUrl(baseUrl);
  if (url === null) return null;
  url.searchParams.set('api-version', AZURE_IMDS_API_VERSION);
  const body = await getJson(url, { Metadata: 'true' }, ctx);
  const compute = field(body, 'compute');
  if (compute === undefined) return null;
  const facts: AzureFacts = {
    subscriptionId: stringField(compute, 'subscriptionId'),
    location: stringField(compute, 'location'),
    vmId: stringField(compute, 'vmId'),
    azEnvironment: stringField(compute, 'azEnvironment'),
  };
  return facts.vmId !== null || facts.subscriptionId !== null ? facts : null;
}

/** AWS IMDSv2: PUT a session token, then GET the instance identity document with it. */
async function queryAws(baseUrl: string, ctx: QueryContext): Promise<AwsFacts | null> {
  const tokenUrl = joinUrl(baseUrl, '/latest/api/token');
  const documentUrl = joinUrl(baseUrl, '/latest/dynamic/instance-identity/document');
  if (tokenUrl === null || documentUrl === null) return null;
  const token = await request(
    tokenUrl,
    { method: 'PUT', headers: { 'X-aws-ec2-metadata-token-ttl-seconds': AWS_TOKEN_TTL_SECONDS } },
    ctx,
  );
  if (token === null || token.body.trim() === '') return null;
  const document = await getJson(
    documentUrl,
    { 'X-aws-ec2-metadata-token': token.body.trim() },
    ctx,
  );
  if (document === undefined) return null;
  const facts: AwsFacts = {
    region: stringField(document, 'region'),
    instanceId: stringField(document, 'instanceId'),
    accountId: stringField(document, 'accountId'),
  };
  return facts.instanceId !== null ? facts : null;
}

/** GCP: `Metadata-Flavor: Google` both ways; the response header proves it is the real one. */
async function queryGcp(baseUrl: string, ctx: QueryContext): Promise<GcpFacts | null> {
  const projectUrl = joinUrl(baseUrl, '/computeMetadata/v1/project/project-id');
  const zoneUrl = joinUrl(baseUrl, '/computeMetadata/v1/instance/zone');
  if (projectUrl === null || zoneUrl === null) return null;
  const init = { method: 'GET', headers: { 'Metadata-Flavor': 'Google' } };
  const [project, zone] = await Promise.all([
    request(projectUrl, init, ctx),
    request(zoneUrl, init, ctx),
  ]);
  if (project === null || project.flavor !== 'Google') return null;
  const projectId = project.body.trim();
  if (projectId === '') return null;
  // The zone comes as "projects/123456789/zones/europe-west1-b".
  const zoneName = zone?.flavor === 'Google' ? zone.body.trim().split('/').at(-1) : undefined;
  return { projectId, zone: zoneName !== undefined && zoneName !== '' ? zoneName : null };
}

interface Answer {
  body: string;
  flavor: string | null;
}

const MAX_BODY_CHARS = 64 * 1024;

/** One metadata request; any failure (refused, timeout, non-2xx, redirect) is null. */
async function request(
  url: URL,
  init: { method: string; headers: Record<string, string> },
  ctx: QueryContext,
): Promise<Answer | null> {
  try {
    const response = await ctx.fetch(url, {
      ...init,
      signal: ctx.signal,
      // Metadata services answer directly; a redirect is not one of them.
      redirect: 'error',
    });
    if (!response.ok) {
      await response.body?.cancel();
      return null;
    }
    const body = await response.text();
    if (body.length > MAX_BODY_CHARS) return null;
    return { body, flavor: response.headers.get('metadata-flavor') };
  } catch {
    return null;
  }
}

async function getJson(
  url: URL,
  headers: Record<string, string>,
  ctx: QueryContext,
): Promise<unknown> {
  const answer = await request(url, { method: 'GET', headers }, ctx);
  if (answer === null) return undefined;
  try {
    return JSON.parse(answer.body) as unknown;
  } catch {
    return undefined;
  }
}

function field(value: unknown, key: string): unknown {
  if (typeof value !== 'object' || value === null) return undefined;
  return (value as Record<string, unknown>)[key];
}

function stringField(value: unknown, key: string): string | null {
  const found = field(value, key);
  return typeof found === 'string' && found !== '' ? found : null;
}

function safeUrl(text: string): URL | null {
  try {
    return new URL(text);
  } catch {
    return null;
  }
}

function joinUrl(base: string, path: string): URL | null {
  return safeUrl(base.replace(/\/+$/, '') + path);
}

/** Settles with `work`, or with `fallback` once `signal` aborts (file reads cannot be aborted). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal, fallback: T): Promise<T> {
  if (signal.aborted) return Promise.resolve(fallback);
  return new Promise<T>((resolve) => {
    const onAbort = (): void => resolve(fallback);
    signal.addEventListener('abort', onAbort, { once: true });
    work
      .then(resolve, () => resolve(fallback))
      .finally(() => signal.removeEventListener('abort', onAbort));
  });
}
