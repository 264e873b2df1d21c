// The web config (`--web.config.file`): the file format of Prometheus' exporter-toolkit, so the
// file a fleet already writes for node_exporter or blackbox_exporter works here too. mxprobe
// supports TLS (`tls_server_config`: cert_file, key_file, client_auth_type, client_ca_file,
// min_version, max_version), `basic_auth_users` with bcrypt hashes and
// `http_server_config.headers`; the toolkit's other settings are refused by name, never ignored.
// Relative file names are taken from the web config's own directory, as the toolkit does.

import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join } from 'node:path';
import { createSecureContext } from 'node:tls';
import { describeErrno } from '../util/errno.js';
import { firstLine } from '../util/text.js';
import { ConfigError } from './error.js';
import {
  CLIENT_AUTH_TYPES,
  TLS_VERSIONS,
  type ClientAuthType,
  type TlsVersionName,
  type WebConfig,
  type WebTls,
} from './types.js';
import { isPlainObject, Validator, type Path } from './validator.js';
import { readConfigText } from './text-file.js';
import { readYaml } from './yaml-source.js';

const TOP_LEVEL_KEYS = ['tls_server_config', 'http_server_config', 'basic_auth_users'] as const;
const TLS_KEYS = [
  'cert_file',
  'key_file',
  'client_auth_type',
  'client_ca_file',
  'min_version',
  'max_version',
] as const;
const HTTP_KEYS = ['http2', 'headers'] as const;

/** exporter-toolkit settings that mxprobe does not implement: refused with this reason. */
const UNSUPPORTED: Readonly<Record<string, string>> = {
  rate_limit: 'put a rate limit in front of mxprobe if you need one',
  'tls_server_config.cert': 'give the certificate as cert_file',
  'tls_server_config.key': 'give the key as key_file',
  'tls_server_config.client_ca': 'give the CA as client_ca_file',
  'tls_server_config.cipher_suites': "Node.js's default cipher suites are used",
  'tls_server_config.curve_preferences': "Node.js's default curves are used",
  'tls_server_config.prefer_server_cipher_suites': "Node.js's default order is used",
  'tls_server_config.client_allowed_sans': 'use a client CA that signs only the allowed clients',
};

/** The toolkit's configurable headers, and the values it allows (none listed: any value). */
const HEADER_VALUES: Readonly<Record<string, readonly string[]>> = {
  'Strict-Transport-Security': [],
  'X-Content-Type-Options': ['nosniff'],
  'X-Frame-Options': ['deny', 'sameorigin'],
  'X-XSS-Protection': [],
  'Content-Security-Policy': [],
};

/** Modular-crypt bcrypt ($2$, $2a$, $2b$, $2y$), cost 4–31, 22 characters of salt + 31 of hash. */
const BCRYPT_HASH = /^\$2[aby]?\$(0[4-9]|[12]\d|3[01])\$[./A-Za-z0-9]{53}$/;

/** A file named in the web config, with where it was named (for messages). */
interface NamedFile {
  path: string;
  origin: string;
}

/** What the file says, before the files it names are read. */
export interface WebConfigSpec {
  source: string;
  tls:
    | {
        certFile: NamedFile | undefined;
        keyFile: NamedFile | undefined;
        clientCaFile: NamedFile | undefined;
        clientAuth: ClientAuthType;
        minVersion: TlsVersionName;
        maxVersion: TlsVersionName;
        origin: string;
      }
    | undefined;
  basicAuthUsers: Map<string, string>;
  headers: Record<string, string>;
}

/** Reads the web config and the certificate files it names; every mistake is a ConfigError. */
export async function loadWebConfig(path: string): Promise<WebConfig> {
  // Capped and checked as UTF-8 like the config file: /dev/zero is one line, not gigabytes.
  const text = await readConfigText(path, 'web config file');
  const spec = parseWebConfig(text, path);
  return {
    source: path,
    tls: spec.tls === undefined ? undefined : await loadTls(spec.tls),
    basicAuthUsers: spec.basicAuthUsers,
    headers: spec.headers,
  };
}

/** Checks web config text; `source` names the file in every message. Pure. */
export function parseWebConfig(text: string, source: string): WebConfigSpec {
  const { raw, at } = readYaml(text, source);
  const spec: WebConfigSpec = { source, tls: undefined, basicAuthUsers: new Map(), headers: {} };
  // An empty file is a valid web config that changes nothing (the toolkit agrees).
  if (raw === null || raw === undefined) return spec;
  if (!isPlainObject(raw))
    throw new ConfigError([
      `${source}: expected a mapping of ${TOP_LEVEL_KEYS.join(', ')} at the top level`,
    ]);
  const problems: string[] = [];
  const v = new Validator(problems, at);
  checkKeys(v, raw, [], TOP_LEVEL_KEYS);
  const base = dirname(source);
  if (raw.tls_server_config != null)
    spec.tls = readTls(v, raw.tls_server_config, ['tls_server_config'], base);
  if (raw.http_server_config != null)
    spec.headers = readHttp(v, raw.http_server_config, ['http_server_config']);
  if (raw.basic_auth_users != null)
    spec.basicAuthUsers = readUsers(v, raw.basic_auth_users, ['basic_auth_users']);
  if (problems.length > 0) throw new ConfigError(problems);
  return spec;
}

/** Unknown keys are errors; the toolkit's keys that mxprobe lacks say so, with what to do. */
function checkKeys(
  v: Validator,
  value: Record<string, unknown>,
  path: Path,
  allowed: readonly string[],
): void {
  for (const key of Object.keys(value)) {
    const name = [...path, key].join('.');
    const why = UNSUPPORTED[name];
    if (why !== undefined)
      v.problem(
        [...path, key],
        `an exporter-toolkit setting that mxprobe does not support: ${why}`,
      );
  }
  v.keys(
    Object.fromEntries(
      Object.entries(value).filter(([key]) => !([...path, key].join('.') in UNSUPPORTED)),
    ),
    path,
    allowed,
  );
}

function readTls(v: Validator, value: unknown, path: Path, base: string): WebConfigSpec['tls'] {
  if (!isPlainObject(value)) {
    v.fail(path, `a mapping (${TLS_KEYS.join(', ')})`, value);
    return undefined;
  }
  checkKeys(v, value, path, TLS_KEYS);
  const file = (key: (typeof TLS_KEYS)[number]): NamedFile | undefined => {
    if (!(key in value)) return undefined;
    const name = v.string(value[key], [...path, key], 'a file name');
    return { path: isAbsolute(name) ? name : join(base, name), origin: v.at([...path, key]) };
  };
  const tls = {
    certFile: file('cert_file'),
    keyFile: file('key_file'),
    clientCaFile: file('client_ca_file'),
    clientAuth:
      oneOf(v, value.client_auth_type, [...path, 'client_auth_type'], CLIENT_AUTH_TYPES, {
        RequireClientCert: 'RequireAnyClientCert',
      }) ?? 'NoClientCert',
    minVersion: oneOf(v, value.min_version, [...path, 'min_version'], TLS_VERSIONS) ?? 'TLS12',
    maxVersion: oneOf(v, value.max_version, [...path, 'max_version'], TLS_VERSIONS) ?? 'TLS13',
    origin: v.at(path),
  };
  if (tls.certFile === undefined) v.problem(path, 'missing cert_file (the server certificate)');
  if (tls.keyFile === undefined) v.problem(path, 'missing key_file (the private key)');
  if (TLS_VERSIONS.indexOf(tls.minVersion) > TLS_VERSIONS.indexOf(tls.maxVersion))
    v.problem([...path, 'min_version'], `${tls.minVersion} is above max_version ${tls.maxVersion}`);
  const verifies =
    tls.clientAuth === 'VerifyClientCertIfGiven' || tls.clientAuth === 'RequireAndVerifyClientCert';
  if (tls.clientCaFile !== undefined && tls.clientAuth === 'NoClientCert')
    v.problem(
      [...path, 'client_ca_file'],
      'a client CA without client_auth_type; set client_auth_type: RequireAndVerifyClientCert',
    );
  if (verifies && tls.clientCaFile === undefined)
    v.problem(
      [...path, 'client_auth_type'],
      `${tls.clientAuth} needs client_ca_file (the CA that signs client certificates)`,
    );
  return tls;
}

/** One of a closed set of names (with accepted old spellings), or undefined when absent. */
function oneOf<const T extends string>(
  v: Validator,
  value: unknown,
  path: Path,
  names: readonly T[],
  aliases: Readonly<Record<string, T>> = {},
): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') {
    if ((names as readonly string[]).includes(value)) return value as T;
    if (value in aliases) return aliases[value];
  }
  v.fail(path, names.join(', ').replace(/, (\w+)$/, ' or $1'), value);
  return undefined;
}

function readHttp(v: Validator, value: unknown, path: Path): Record<string, string> {
  if (!isPlainObject(value)) {
    v.fail(path, `a mapping (${HTTP_KEYS.join(', ')})`, value);
    return {};
  }
  checkKeys(v, value, path, HTTP_KEYS);
  // http2 is accepted so a shared file loads; mxprobe serves HTTP/1.1 only, either way.
  if ('http2' in value) v.boolean(value.http2, [...path, 'http2']);
  if (value.headers == null) return {};
  const here = [...path, 'headers'];
  if (!isPlainObject(value.headers)) {
    v.fail(here, 'a mapping of header names to values', value.headers);
    return {};
  }
  const headers: Record<string, string> = {};
  for (const [name, headerValue] of Object.entries(value.headers)) {
    const allowed = HEADER_VALUES[name];
    if (allowed === undefined) {
      v.problem(
        [...here, name],
        `a header that cannot be configured; expected one of ${Object.keys(HEADER_VALUES).join(', ')}`,
      );
      continue;
    }
    const what = allowed.length > 0 ? allowed.join(' or ') : 'a header value on one line';
    if (
      typeof headerValue !== 'string' ||
      /\p{Cc}/u.test(headerValue) ||
      (allowed.length > 0 && !allowed.includes(headerValue))
    ) {
      v.fail([...here, name], what, headerValue);
      continue;
    }
    if (headerValue !== '') headers[name] = headerValue;
  }
  return headers;
}

function readUsers(v: Validator, value: unknown, path: Path): Map<string, string> {
  const users = new Map<string, string>();
  if (!isPlainObject(value)) {
    v.fail(path, 'a mapping of user names to bcrypt hashes', value);
    return users;
  }
  for (const [user, hash] of Object.entries(value)) {
    if (user === '' || user.includes(':')) {
      // RFC 7617: the user name ends at the first colon.
      v.problem([...path, user], 'a user name must be non-empty and without ":"');
      continue;
    }
    // The hash is not quoted back: it is as good as a password to anyone who can brute-force it.
    if (typeof hash !== 'string' || !BCRYPT_HASH.test(hash)) {
      v.problem(
        [...path, user],
        'expected a bcrypt hash such as $2y$10$… (htpasswd -nBC 10 "" | tr -d \':\\n\'), got something else',
      );
      continue;
    }
    users.set(user, hash);
  }
  return users;
}

async function loadTls(tls: NonNullable<WebConfigSpec['tls']>): Promise<WebTls> {
  const [cert, key, clientCa] = await Promise.all([
    readNamed(tls.certFile),
    readNamed(tls.keyFile),
    readNamed(tls.clientCaFile),
  ]);
  if (cert === undefined || key === undefined)
    throw new ConfigError([`${tls.origin}: cert_file and key_file are both needed`]);
  try {
    createSecureContext({ cert, key });
  } catch (error) {
    throw new ConfigError(
      [`${tls.origin}: cert_file and key_file do not make a key pair: ${firstLine(error)}`],
      { cause: error },
    );
  }
  if (clientCa !== undefined) {
    try {
      // Throws unless the file holds a certificate (a key or anything else would be ignored).
      new X509Certificate(clientCa);
    } catch (error) {
      throw new ConfigError(
        [`${tls.clientCaFile?.origin}: not a PEM CA certificate: ${firstLine(error)}`],
        { cause: error },
      );
    }
  }
  return {
    cert,
    key,
    clientCa,
    clientAuth: tls.clientAuth,
    minVersion: tls.minVersion,
    maxVersion: tls.maxVersion,
  };
}

async function readNamed(file: NamedFile | undefined): Promise<Buffer | undefined> {
  if (file === undefined) return undefined;
  try {
    return await readFile(file.path);
  } catch (error) {
    throw new ConfigError([`${file.origin}: cannot read ${file.path}: ${describeErrno(error)}`], {
      cause: error,
    });
  }
}
