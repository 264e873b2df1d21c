// The lab's certificate authority, made fresh at every `up` with the openssl command line:
// one CA, one server certificate naming every well-behaved lab host, and one certificate that
// expired years ago for the host that serves it on purpose. The VM trusts the CA through
// NODE_EXTRA_CA_CERTS, so a good lab host verifies and the expired one does not.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from './topology.js';
import type { LabHost } from './zone.js';

export interface Pki {
  caCert: string;
  serverKey: string;
  serverCert: string;
  expiredKey: string;
  expiredCert: string;
}

/** openssl ca wants a little database; this config points it at files in dir. */
function caConfig(dir: string, hosts: LabHost[]): string {
  const alt = hosts.flatMap((h, i) => [
    `DNS.${i + 1} = ${h.name}`,
    `IP.${2 * i + 1} = ${h.ipv4}`,
    `IP.${2 * i + 2} = ${h.ipv6}`,
  ]);
  return [
    '[ ca ]',
    'default_ca = lab_ca',
    '[ lab_ca ]',
    `database = ${join(dir, 'index.txt')}`,
    `new_certs_dir = ${dir}`,
    `serial = ${join(dir, 'serial')}`,
    `certificate = ${join(dir, 'ca.pem')}`,
    `private_key = ${join(dir, 'ca.key')}`,
    'default_md = sha256',
    'policy = lab_policy',
    'unique_subject = no',
    'copy_extensions = none',
    '[ lab_policy ]',
    'commonName = supplied',
    '[ server_ext ]',
    'basicConstraints = critical, CA:FALSE',
    'keyUsage = critical, digitalSignature, keyEncipherment',
    'extendedKeyUsage = serverAuth',
    'subjectAltName = @alt_names',
    '[ alt_names ]',
    ...alt,
    '',
  ].join('\n');
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

function issue(
  dir: string,
  name: string,
  hosts: LabHost[],
  validity: { start: string; end: string },
): { key: string; cert: string } {
  const sub = join(dir, name);
  mkdirSync(sub, { recursive: true });
  writeFileSync(join(sub, 'index.txt'), '');
  writeFileSync(join(sub, 'serial'), '1000\n');
  writeFileSync(join(sub, 'ca.cnf'), caConfig(sub, hosts));
  // openssl ca reads the CA from its own config dir.
  run(['cp', join(dir, 'ca.pem'), join(dir, 'ca.key'), sub]);
  const key = join(dir, `${name}.key`);
  const csr = join(sub, 'req.csr');
  const cert = join(dir, `${name}.pem`);
  const cn = hosts[0]?.name ?? 'lab';
  run(['openssl', 'req', '-new', ...EC_KEY, '-keyout', key, '-out', csr, '-subj', `/CN=${cn}`]);
  // `openssl ca` (unlike `x509 -req`) takes explicit start and end dates: the only way in
  // OpenSSL 3.0 to make a certificate that is already expired.
  run([
    'openssl',
    'ca',
    '-batch',
    '-notext',
    '-config',
    join(sub, 'ca.cnf'),
    '-extensions',
    'server_ext',
    '-startdate',
    validity.start,
    '-enddate',
    validity.end,
    '-in',
    csr,
    '-out',
    cert,
  ]);
  return { key, cert };
}

/** openssl's date format: YYYYMMDDHHMMSSZ. */
const opensslDate = (d: Date): string => `${d.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;

export function createPki(dir: string, goodHosts: LabHost[], expiredHosts: LabHost[]): Pki {
  mkdirSync(dir, { recursive: true });
  const caKey = join(dir, 'ca.key');
  const caCert = join(dir, 'ca.pem');
  run([
    'openssl',
    'req',
    '-x509',
    ...EC_KEY,
    '-keyout',
    caKey,
    '-out',
    caCert,
    '-days',
    '30',
    '-subj',
    '/CN=mxprobe lab CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  const now = Date.now();
  const good = issue(dir, 'server', goodHosts, {
    start: opensslDate(new Date(now - 3_600_000)),
    end: opensslDate(new Date(now + 30 * 86_400_000)),
  });
  const expired = issue(dir, 'expired', expiredHosts, {
    start: '20200101000000Z',
    end: '20210101000000Z',
  });
  return {
    caCert,
    serverKey: good.key,
    serverCert: good.cert,
    expiredKey: expired.key,
    expiredCert: expired.cert,
  };
}
