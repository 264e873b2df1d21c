// Fake instance-metadata services on loopback, shaped like Azure IMDS, AWS IMDSv2 and the GCP
// metadata server, plus a guard that fails any request that would leave 127.0.0.1.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface FakeServer {
  /** http://127.0.0.1:PORT */
  base: string;
  requests: { method: string; url: string; headers: IncomingMessage['headers'] }[];
  close(): Promise<void>;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export async function startFake(handler: Handler): Promise<FakeServer> {
  const sockets = new Set<Socket>();
  const requests: FakeServer['requests'] = [];
  const server = createServer((req, res) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    handler(req, res);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        sockets.forEach((socket) => socket.destroy());
        server.close(() => resolve());
      }),
  };
}

/** Accepts the request and never answers: a metadata address that swallows packets. */
export const silent: Handler = () => undefined;

export const AZURE_DOCUMENT = {
  compute: {
    azEnvironment: 'AzurePublicCloud',
    location: 'westeurope',
    name: 'vm1',
    subscriptionId: '8d10da13-8125-4ba9-a717-bf7490507b3d',
    vmId: '02aab8a4-74ef-476e-8182-f6d2ba4166a6',
  },
  network: { interface: [] },
};

/**
 * A VM with a public IP on its NIC, as IMDS reports it (the private address beside it, and a
 * second NIC without a public one: `publicIpAddress` is then "").
 */
export const AZURE_DOCUMENT_WITH_PUBLIC_IP = {
  ...AZURE_DOCUMENT,
  network: {
    interface: [
      {
        ipv4: { ipAddress: [{ privateIpAddress: '10.0.0.4', publicIpAddress: '203.0.113.40' }] },
        ipv6: { ipAddress: [] },
      },
      { ipv4: { ipAddress: [{ privateIpAddress: '10.0.1.4', publicIpAddress: '' }] } },
    ],
  },
};

export const azureImds: Handler = (req, res) => azureImdsServing(AZURE_DOCUMENT)(req, res);

export const azureImdsServing =
  (document: object): Handler =>
  (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (req.headers.metadata !== 'true' || url.searchParams.get('api-version') === null) {
      res.writeHead(400, { 'Content-Type': 'application/json' }).end('{"error":"Bad request"}');
      return;
    }
    if (url.pathname !== '/metadata/instance') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(document));
  };

export const AWS_TOKEN = 'AQAEAFakeTokenForTests==';

export const AWS_DOCUMENT = {
  accountId: '123456789012',
  architecture: 'x86_64',
  availabilityZone: 'eu-central-1a',
  instanceId: 'i-0abcdef1234567890',
  instanceType: 't3.micro',
  region: 'eu-central-1',
};

export const awsImdsV2: Handler = (req, res) => awsImdsV2Serving(undefined)(req, res);

/** IMDSv2; `meta-data/public-ipv4` answers `publicIpv4`, or 404 like an instance without one. */
export const awsImdsV2Serving =
  (publicIpv4: string | undefined): Handler =>
  (req, res) => {
    if (req.method === 'PUT' && req.url === '/latest/api/token') {
      if (req.headers['x-aws-ec2-metadata-token-ttl-seconds'] === undefined) {
        res.writeHead(400).end();
        return;
      }
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end(AWS_TOKEN);
      return;
    }
    if (req.method === 'GET' && req.url === '/latest/dynamic/instance-identity/document') {
      if (req.headers['x-aws-ec2-metadata-token'] !== AWS_TOKEN) {
        res.writeHead(401).end();
        return;
      }
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end(JSON.stringify(AWS_DOCUMENT));
      return;
    }
    if (req.method === 'GET' && req.url === '/latest/meta-data/public-ipv4' && publicIpv4) {
      if (req.headers['x-aws-ec2-metadata-token'] !== AWS_TOKEN) {
        res.writeHead(401).end();
        return;
      }
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end(publicIpv4);
      return;
    }
    res.writeHead(404).end();
  };

export function gcpMetadata(options: { flavorHeader: boolean; externalIp?: string }): Handler {
  return (req, res) => {
    if (req.headers['metadata-flavor'] !== 'Google') {
      res.writeHead(403).end();
      return;
    }
    const headers = options.flavorHeader
      ? { 'Metadata-Flavor': 'Google', 'Content-Type': 'application/text' }
      : { 'Content-Type': 'application/text' };
    if (req.url === '/computeMetadata/v1/project/project-id') {
      res.writeHead(200, headers).end('my-project-123');
    } else if (req.url === '/computeMetadata/v1/instance/zone') {
      res.writeHead(200, headers).end('projects/987654321/zones/europe-west1-b');
    } else if (
      req.url ===
        '/computeMetadata/v1/instance/network-interfaces/0/access-configs/0/external-ip' &&
      options.externalIp !== undefined
    ) {
      res.writeHead(200, headers).end(options.externalIp);
    } else {
      res.writeHead(404).end();
    }
  };
}

/** Every URL the guarded fetch refused; tests assert it stays empty. */
export const refusedUrls: string[] = [];

/** fetch that refuses anything but loopback, so a wrong URL fails the test instead of leaking. */
export const loopbackOnlyFetch: typeof fetch = (input, init) => {
  const url = new URL(input instanceof Request ? input.url : input.toString());
  if (url.hostname !== '127.0.0.1' && url.hostname !== '[::1]') {
    refusedUrls.push(url.href);
    return Promise.reject(new Error(`test tried to reach ${url.href}`));
  }
  return fetch(input, init);
};

export {
  ALIBABA_TOKEN,
  FAKE_ADDRESSES,
  LINODE_TOKEN,
  metadataService,
  PLATFORM_DMI,
  type FakePlatform,
} from '../../lab/cloud-services.js';

/**
 * Asks `cloud`'s metadata client at a fake service on loopback, base URL = the loopback origin
 * plus the path of the cloud's default URL (as the module would ask the real address).
 */
export async function queryOnLoopback<Facts extends object>(
  cloud: {
    defaultMetadataUrl: string;
    queryMetadata: (
      url: string,
      ctx: { fetch: typeof fetch; signal: AbortSignal },
    ) => Promise<Facts | null>;
  },
  handler: Handler,
  fetcher: typeof fetch = loopbackOnlyFetch,
): Promise<{ facts: Facts | null; requests: FakeServer['requests'] }> {
  const server = await startFake(handler);
  try {
    const path = new URL(cloud.defaultMetadataUrl).pathname.replace(/\/$/, '');
    const facts = await cloud.queryMetadata(`${server.base}${path}`, {
      fetch: fetcher,
      signal: AbortSignal.timeout(5_000),
    });
    return { facts, requests: server.requests };
  } finally {
    await server.close();
  }
}

/** A fetch that sends every request without the headers named (a client that forgot them). */
export function fetchWithout(...names: string[]): typeof fetch {
  return (input, init) => {
    const headers = new Headers(init?.headers);
    for (const name of names) headers.delete(name);
    return loopbackOnlyFetch(input, { ...init, headers });
  };
}

/** A fetch that replaces one header's value (a stale token, a wrong key). */
export function fetchWithHeader(name: string, value: string): typeof fetch {
  return (input, init) => {
    const headers = new Headers(init?.headers);
    if (headers.has(name)) headers.set(name, value);
    return loopbackOnlyFetch(input, { ...init, headers });
  };
}
