// The one certificate maker of the lab, the bench and the tests, on the openssl command line:
// a CA, the server and client certificates it issues (valid now, or expired on purpose), and a
// self-signed certificate that is its own trust anchor. Files go to a directory the caller
// owns; every certificate comes back both as PEM text and as file paths.

import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';

export interface KeyPair {
  cert: string;
  key: string;
  certFile: string;
  keyFile: string;
}

export interface Validity {
  start: Date;
  end: Date;
}

export interface Subject {
  /** The subject's common name. */
  cn: string;
  /** subjectAltName: host names and IP addresses. */
  names?: readonly string[];
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
const HOUR_MS = 3_600_000;

/** Valid from an hour ago (a clock a little behind) for `count` days. */
export function days(count: number, from = Date.now()): Validity {
  return { start: new Date(from - HOUR_MS), end: new Date(from + count * 24 * HOUR_MS) };
}

function openssl(args: string[]): void {
  try {
    execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`openssl ${args[0] ?? ''} failed: ${stderr.trim()}`, { cause: error });
  }
}

function keyPair(dir: string, name: string): KeyPair {
  const certFile = join(dir, `${name}.pem`);
  const keyFile = join(dir, `${name}.key`);
  return {
    cert: readFileSync(certFile, 'utf8'),
    key: readFileSync(keyFile, 'utf8'),
    certFile,
    keyFile,
  };
}

const altNames = (names: readonly string[]): string =>
  names.map((n) => (isIP(n) ? `IP:${n}` : `DNS:${n}`)).join(', ');

/**
 * A self-signed certificate that may sign others (a CA) and, with `names`, also serve them: the
 * one file is then both the server's certificate and the client's trust anchor.
 */
export function selfSigned(dir: string, name: string, subject: Subject, validDays = 30): KeyPair {
  mkdirSync(dir, { recursive: true });
  const names = subject.names ?? [];
  openssl([
    'req',
    '-x509',
    ...EC_KEY,
    '-days',
    String(validDays),
    '-subj',
    `/CN=${subject.cn}`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    `keyUsage=critical,keyCertSign,cRLSign${names.length > 0 ? ',digitalSignature' : ''}`,
    ...(names.length > 0 ? ['-addext', `subjectAltName=${altNames(names)}`] : []),
    '-keyout',
    join(dir, `${name}.key`),
    '-out',
    join(dir, `${name}.pem`),
  ]);
  return keyPair(dir, name);
}

/** openssl's date format: YYYYMMDDHHMMSSZ. */
const opensslDate = (d: Date): string => `${d.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;

/** `openssl ca` wants a little database of its own; this config points it at files in dir. */
function caConfig(dir: string, usage: 'server' | 'client', names: readonly string[]): string {
  return [
    '[ ca ]',
    'default_ca = issuer',
    '[ issuer ]',
    `database = ${join(dir, 'index.txt')}`,
    `new_certs_dir = ${dir}`,
    `serial = ${join(dir, 'serial')}`,
    `certificate = ${join(dir, 'ca.pem')}`,
    `private_key = ${join(dir, 'ca.key')}`,
    'default_md = sha256',
    'policy = any_cn',
    'unique_subject = no',
    'copy_extensions = none',
    '[ any_cn ]',
    'commonName = supplied',
    '[ leaf ]',
    'basicConstraints = critical, CA:FALSE',
    'keyUsage = critical, digitalSignature, keyEncipherment',
    `extendedKeyUsage = ${usage === 'server' ? 'serverAuth' : 'clientAuth'}`,
    ...(names.length > 0 ? [`subjectAltName = ${altNames(names)}`] : []),
    '',
  ].join('\n');
}

/**
 * A certificate `ca` signs for a server (its names in subjectAltName) or a client. `openssl ca`
 * (unlike `x509 -req`) takes explicit start and end dates: in OpenSSL 3.0 the only way to make a
 * certificate that has already expired.
 */
export function issue(
  dir: string,
  ca: KeyPair,
  name: string,
  subject: Subject & { usage: 'server' | 'client'; validity?: Validity },
): KeyPair {
  const work = join(dir, `${name}.ca`);
  mkdirSync(work, { recursive: true });
  writeFileSync(join(work, 'index.txt'), '');
  writeFileSync(join(work, 'serial'), '1000\n');
  writeFileSync(join(work, 'ca.cnf'), caConfig(work, subject.usage, subject.names ?? []));
  copyFileSync(ca.certFile, join(work, 'ca.pem'));
  copyFileSync(ca.keyFile, join(work, 'ca.key'));
  const csr = join(work, 'req.csr');
  openssl(
    ['req', '-new', ...EC_KEY, '-keyout', join(dir, `${name}.key`), '-out', csr].concat([
      '-subj',
      `/CN=${subject.cn}`,
    ]),
  );
  const validity = subject.validity ?? days(30);
  openssl([
    'ca',
    '-batch',
    '-notext',
    '-config',
    join(work, 'ca.cnf'),
    '-extensions',
    'leaf',
    '-startdate',
    opensslDate(validity.start),
    '-enddate',
    opensslDate(validity.end),
    '-in',
    csr,
    '-out',
    join(dir, `${name}.pem`),
  ]);
  return keyPair(dir, name);
}
