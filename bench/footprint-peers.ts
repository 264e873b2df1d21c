// The peers of the footprint measurement: a probe set the shape of the shipped default
// (probes/default.yaml: as many mail domains on 25, as many submission hosts on the same ports,
// as many relays), every name renamed into footprint.test and served on loopback by real SMTP
// servers (smtp-server: implicit TLS on 465, STARTTLS elsewhere) and our own DNS server
// (lab/dns-server.ts) for the domains' MX and the hosts' addresses. Nothing leaves the machine.
// Used by bench/footprint.ts (the bench and the root soak) and, run on its own inside the
// systemd container's network (`node dist/bench/footprint-peers.js DIR`), by the system test:
// it writes the probe set to DIR/footprint.yaml, prints "ready" and serves until killed.

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SMTPServer } from 'smtp-server';
import { parse } from 'yaml';
import { selfSigned } from '../lab/certificates.js';
import { startDnsServer, type DnsServer, type Zone } from '../lab/dns-server.js';
import { REPO_ROOT } from '../lab/lab.js';

/** Loopback addresses of their own: 127.0.13.1… the MX hosts, 127.0.13.101… the hosts. */
const NET = '127.0.13';
const DOMAIN = 'footprint.test';

interface ShippedTarget {
  domain?: string;
  host?: string;
  ports?: number[];
}

export interface FootprintShape {
  /** Renamed mail domains, each with one MX host: [domain, address]. */
  domains: { domain: string; mx: string; address: string; ports: number[] }[];
  hosts: { host: string; address: string; ports: number[] }[];
  relays: number;
  /** Attempts per cycle: one per address and port. */
  attempts: number;
}

/** The shipped default probe set, renamed onto loopback: the same targets, ports and relays. */
export function footprintShape(
  probeSet = join(REPO_ROOT, 'probes', 'default.yaml'),
): FootprintShape {
  const shipped = parse(readFileSync(probeSet, 'utf8')) as {
    targets?: ShippedTarget[];
    relays?: unknown[];
  };
  const targets = shipped.targets ?? [];
  const domains = targets
    .filter((t) => t.domain !== undefined)
    .map((t, i) => ({
      domain: `d${i + 1}.${DOMAIN}`,
      mx: `mx.d${i + 1}.${DOMAIN}`,
      address: `${NET}.${i + 1}`,
      ports: t.ports ?? [25],
    }));
  const hosts = targets
    .filter((t) => t.host !== undefined)
    .map((t, i) => ({
      host: `h${i + 1}.${DOMAIN}`,
      address: `${NET}.${101 + i}`,
      ports: t.ports ?? [25],
    }));
  const attempts = [...domains, ...hosts].reduce((sum, t) => sum + t.ports.length, 0);
  return { domains, hosts, relays: shipped.relays?.length ?? 0, attempts };
}

export interface FootprintPeers {
  shape: FootprintShape;
  dns: DnsServer;
  /** The probe set for mxprobe, listening on `listen`, cycling every `interval`. */
  probeSet(listen: string, interval: string): string;
  close(): Promise<void>;
}

export async function startFootprintPeers(shape = footprintShape()): Promise<FootprintPeers> {
  if (shape.relays > 0) throw new Error('the footprint peers have no relay to offer yet');
  const zone: Zone = { mx: {}, a: {} };
  for (const d of shape.domains) {
    zone.mx[d.domain] = [d.mx];
    zone.a[d.mx] = [d.address];
  }
  for (const h of shape.hosts) zone.a[h.host] = [h.address];
  const dns = await startDnsServer(zone);
  const pair = selfSigned(mkdtempSync(join(tmpdir(), 'mxprobe-footprint-')), 'peer', {
    cn: `mx.${DOMAIN}`,
  });
  const servers: SMTPServer[] = [];
  try {
    for (const t of [...shape.domains, ...shape.hosts]) {
      for (const port of t.ports) servers.push(await smtpServer(t.address, port, pair));
    }
  } catch (error) {
    await Promise.all([dns.close(), ...servers.map(closeSmtp)]);
    throw error;
  }
  const targetLines = [
    ...shape.domains.map((d) => [`  - domain: ${d.domain}`, `    ports: [${d.ports.join(', ')}]`]),
    ...shape.hosts.map((h) => [`  - host: ${h.host}`, `    ports: [${h.ports.join(', ')}]`]),
  ].flat();
  return {
    shape,
    dns,
    probeSet: (listen, interval) =>
      [
        `# The shipped default's shape on loopback (bench/footprint-peers.ts).`,
        `interval: ${interval}`,
        `listen: "${listen}"`,
        `dnsServers: ["${dns.address}"]`,
        'cloudDetection:',
        '  enabled: false',
        'targets:',
        ...targetLines,
        '',
      ].join('\n'),
    close: async () => {
      await Promise.all([dns.close(), ...servers.map(closeSmtp)]);
    },
  };
}

async function smtpServer(
  host: string,
  port: number,
  pair: { cert: string; key: string },
): Promise<SMTPServer> {
  const server = new SMTPServer({
    key: pair.key,
    cert: pair.cert,
    secure: port === 465,
    name: `mx.${DOMAIN}`,
    authOptional: true,
    disableReverseLookup: true,
    logger: false,
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  if ((server.server.address() as AddressInfo | null)?.port !== port)
    throw new Error(`the footprint peer ${host}:${port} did not bind`);
  return server;
}

function closeSmtp(server: SMTPServer): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

// On its own: serve until killed, the probe set written where asked.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [dir, listen = '127.0.0.1:9725', interval = '10ms'] = process.argv.slice(2);
  if (dir === undefined) {
    process.stderr.write('usage: footprint-peers.js DIR [LISTEN] [INTERVAL]\n');
    process.exit(2);
  }
  const peers = await startFootprintPeers();
  writeFileSync(join(dir, 'footprint.yaml'), peers.probeSet(listen, interval));
  process.stdout.write(`ready ${peers.shape.attempts} attempts\n`);
  const stop = (): void => void peers.close().then(() => process.exit(0));
  process.on('SIGTERM', stop).on('SIGINT', stop);
}
