// Fake instance-metadata services for the platforms mxprobe knows, each answering as the real
// one documents (paths, headers, token dances, formats): a request the real service would turn
// away gets the real service's answer (401 without Oracle's bearer, 401 for a wrong Linode or
// Alibaba token, 404 for another path). The unit tests serve them on loopback; the lab serves
// them inside its namespaces, with the firmware strings beside them. Identifiers are made up.

import type { IncomingMessage, ServerResponse } from 'node:http';

export type MetadataHandler = (request: IncomingMessage, response: ServerResponse) => void;

/** The firmware (DMI) a VM on each platform shows, as cloud-init's ds-identify reads it. */
export const PLATFORM_DMI = {
  oracle: { chassis_asset_tag: 'OracleCloud.com' },
  digitalocean: { sys_vendor: 'DigitalOcean', product_name: 'Droplet' },
  hetzner: { sys_vendor: 'Hetzner', product_name: 'vServer' },
  linode: { sys_vendor: 'Akamai', product_name: 'Compute Instance' },
  vultr: { sys_vendor: 'Vultr', product_name: 'VC2' },
  scaleway: { sys_vendor: 'Scaleway', product_name: 'SCW-PLAY2-PICO' },
  alibaba: { sys_vendor: 'Alibaba Cloud', product_name: 'Alibaba Cloud ECS' },
  upcloud: { sys_vendor: 'UpCloud', product_name: 'Cloud Server' },
  openstack: { sys_vendor: 'OpenStack Foundation', product_name: 'OpenStack Nova' },
} as const;

export type FakePlatform = keyof typeof PLATFORM_DMI;

/** The public addresses every fake gives the VM (documentation ranges). */
export interface FakeAddresses {
  ipv4: string;
  ipv6: string;
}

export const FAKE_ADDRESSES: FakeAddresses = { ipv4: '203.0.113.40', ipv6: '2001:db8::40' };

export const LINODE_TOKEN = 'linode-token-0123456789abcdef';
export const ALIBABA_TOKEN = 'aliyun-token-AAAAAAAAAAAAAAAA';

function send(response: ServerResponse, status: number, type: string, body: string): void {
  response.writeHead(status, { 'content-type': type }).end(body);
}

const json = (response: ServerResponse, body: unknown): void =>
  send(response, 200, 'application/json', JSON.stringify(body));
const notFound = (response: ServerResponse): void =>
  send(response, 404, 'text/plain', 'Not Found\n');

/** The fake service for one platform, giving the VM these public addresses. */
export function metadataService(
  platform: FakePlatform,
  addresses: FakeAddresses = FAKE_ADDRESSES,
): MetadataHandler {
  return SERVICES[platform](addresses);
}

const SERVICES: Record<FakePlatform, (a: FakeAddresses) => MetadataHandler> = {
  oracle: () => oracleService,
  digitalocean: (a) => digitalOceanService(a),
  hetzner: (a) => hetznerService(a),
  linode: (a) => linodeService(a),
  vultr: (a) => vultrService(a),
  scaleway: (a) => scalewayService(a),
  alibaba: (a) => alibabaService(a),
  upcloud: (a) => upCloudService(a),
  openstack: () => openStackService,
};

/** OCI IMDS v2: /opc/v2/instance/ with `Authorization: Bearer Oracle`, else 401. */
const oracleService: MetadataHandler = (request, response) => {
  const path = request.url ?? '/';
  if (!path.startsWith('/opc/v2/')) return notFound(response);
  if (request.headers.authorization !== 'Bearer Oracle') {
    return send(response, 401, 'application/json', '{"code":"NotAuthorized"}');
  }
  if (path !== '/opc/v2/instance/') return notFound(response);
  json(response, {
    availabilityDomain: 'Uocm:EU-FRANKFURT-1-AD-1',
    canonicalRegionName: 'eu-frankfurt-1',
    compartmentId: 'ocid1.compartment.oc1..aaaaexample',
    id: 'ocid1.instance.oc1.eu-frankfurt-1.aaaaexample',
    region: 'fra',
  });
};

/** DigitalOcean: GET /metadata/v1.json, no header. */
function digitalOceanService(a: FakeAddresses): MetadataHandler {
  return (request, response) => {
    if (request.method !== 'GET' || request.url !== '/metadata/v1.json') return notFound(response);
    json(response, {
      droplet_id: 2756294,
      hostname: 'mail',
      region: 'fra1',
      interfaces: {
        public: [
          { ipv4: { ip_address: a.ipv4, netmask: '255.255.255.0' }, ipv6: { ip_address: a.ipv6 } },
        ],
      },
    });
  };
}

/** Hetzner Cloud: GET /hetzner/v1/metadata, answered in YAML. */
function hetznerService(a: FakeAddresses): MetadataHandler {
  return (request, response) => {
    if (request.method !== 'GET' || request.url !== '/hetzner/v1/metadata') {
      return notFound(response);
    }
    send(
      response,
      200,
      'text/plain',
      `availability-zone: fsn1-dc14\nhostname: mail\ninstance-id: 42424242\npublic-ipv4: ${a.ipv4}\nregion: eu-central\n`,
    );
  };
}

/** Akamai (Linode): PUT /v1/token with Metadata-Token-Expiry-Seconds, then Metadata-Token. */
function linodeService(a: FakeAddresses): MetadataHandler {
  return (request, response) => {
    const path = request.url ?? '/';
    if (path === '/v1/token') {
      if (request.method !== 'PUT')
        return send(response, 405, 'text/plain', 'Method Not Allowed\n');
      const ttl = Number(request.headers['metadata-token-expiry-seconds'] ?? '3600');
      if (!Number.isInteger(ttl) || ttl < 1 || ttl > 86400) {
        return send(response, 400, 'text/plain', 'Bad Request\n');
      }
      return send(response, 200, 'text/plain', LINODE_TOKEN);
    }
    if (path !== '/v1/instance' && path !== '/v1/network') return notFound(response);
    if (request.headers['metadata-token'] !== LINODE_TOKEN) {
      return send(response, 401, 'text/plain', 'Unauthorized\n');
    }
    if (path === '/v1/instance') {
      return json(response, { id: 12345678, label: 'mail', region: 'eu-central' });
    }
    json(response, {
      ipv4: { public: [`${a.ipv4}/32`], private: [] },
      ipv6: { slaac: `${a.ipv6}/128` },
    });
  };
}

/** Vultr: GET /v1.json. */
function vultrService(a: FakeAddresses): MetadataHandler {
  return (request, response) => {
    if (request.method !== 'GET' || request.url !== '/v1.json') return notFound(response);
    json(response, {
      hostname: 'mail',
      'instance-v2-id': 'a1b2c3d4-0000-4000-8000-000000000001',
      instanceid: '54321',
      region: { regioncode: 'FRA' },
      interfaces: [
        { 'network-type': 'public', ipv4: { address: a.ipv4 }, ipv6: { address: a.ipv6 } },
      ],
    });
  };
}

/** Scaleway: GET /conf?format=json (169.254.42.42). */
function scalewayService(a: FakeAddresses): MetadataHandler {
  return (request, response) => {
    const url = new URL(request.url ?? '/', 'http://metadata');
    if (url.pathname !== '/conf') return notFound(response);
    if (url.searchParams.get('format') !== 'json') {
      // Without format=json the service answers shell-style KEY=value lines.
      return send(response, 200, 'text/plain', `ID=11111111-2222-4333-8444-555555555555\n`);
    }
    json(response, {
      id: '11111111-2222-4333-8444-555555555555',
      hostname: 'mail',
      organization: '99999999-8888-4777-8666-555555555555',
      location: { zone_id: 'fr-par-1' },
      public_ip: { address: a.ipv4 },
      ipv6: { address: a.ipv6 },
    });
  };
}

/** Alibaba ECS (100.100.100.200): PUT /latest/api/token, then X-aliyun-ecs-metadata-token. */
function alibabaService(a: FakeAddresses): MetadataHandler {
  const values: Record<string, string> = {
    '/latest/meta-data/instance-id': 'i-gw8example0000001',
    '/latest/meta-data/region-id': 'eu-central-1',
    '/latest/meta-data/zone-id': 'eu-central-1a',
    '/latest/meta-data/eipv4': a.ipv4,
  };
  return (request, response) => {
    const path = request.url ?? '/';
    if (path === '/latest/api/token') {
      const ttl = Number(request.headers['x-aliyun-ecs-metadata-token-ttl-seconds']);
      if (request.method !== 'PUT' || !Number.isInteger(ttl) || ttl < 1 || ttl > 21600) {
        return send(response, 400, 'text/plain', 'Bad Request\n');
      }
      return send(response, 200, 'text/plain', ALIBABA_TOKEN);
    }
    if (request.headers['x-aliyun-ecs-metadata-token'] !== ALIBABA_TOKEN) {
      return send(response, 401, 'text/plain', 'Unauthorized\n');
    }
    const value = values[path];
    if (value === undefined) return notFound(response);
    send(response, 200, 'text/plain', value);
  };
}

/** UpCloud: GET /metadata/v1.json, no header. */
function upCloudService(a: FakeAddresses): MetadataHandler {
  return (request, response) => {
    if (request.method !== 'GET' || request.url !== '/metadata/v1.json') return notFound(response);
    json(response, {
      cloud_name: 'upcloud',
      instance_id: '00aa0000-1111-4222-8333-444444444444',
      hostname: 'mail',
      region: 'de-fra1',
      network: {
        interfaces: [
          {
            index: 1,
            type: 'public',
            ip_addresses: [
              { address: a.ipv4, family: 'IPv4', floating: false },
              { address: a.ipv6, family: 'IPv6', floating: false },
            ],
          },
          { index: 2, type: 'utility', ip_addresses: [{ address: '10.3.0.4', family: 'IPv4' }] },
        ],
      },
    });
  };
}

/** OpenStack Nova: GET /openstack/latest/meta_data.json. */
const openStackService: MetadataHandler = (request, response) => {
  if (request.method !== 'GET' || request.url !== '/openstack/latest/meta_data.json') {
    return notFound(response);
  }
  json(response, {
    uuid: '83679162-1378-4288-a2d4-70e13ec132aa',
    availability_zone: 'nova',
    project_id: 'f7ac731cc11f40efbc03a9f9e1d1d21f',
    hostname: 'mail',
  });
};

/** Where the lab serves a platform's fake: under this prefix of the lab metadata address. */
export function labMetadataPrefix(platform: FakePlatform): string {
  return `/cloud/${platform}`;
}

/**
 * The lab's dispatch: a request under /cloud/<platform>/ goes to that platform's fake, with the
 * prefix taken off (the fake sees the path the real service would); undefined for any other.
 */
export function labMetadataHandler(
  request: IncomingMessage,
  addresses: FakeAddresses,
): MetadataHandler | undefined {
  const match = /^\/cloud\/([a-z]+)(\/.*)$/.exec(request.url ?? '');
  const platform = match?.[1];
  if (match === null || platform === undefined || !(platform in PLATFORM_DMI)) return undefined;
  request.url = match[2] ?? '/';
  return metadataService(platform as FakePlatform, addresses);
}
