// The web config (--web.config.file) as exporter-toolkit writes it: what mxprobe reads from a
// good file, and the one sentence it says about each kind of mistake (file, line, field).
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/config/error.js';
import { parseWebConfig } from '../../../src/config/web.js';

const HASH = '$2b$04$Lrx.gNCJgdZ1aZOj1NMYGeehCRj.t1K7/BjUZrxQLwzYtYsxBA/72';

function problemsOf(text: string): string[] {
  try {
    parseWebConfig(text, '/etc/mxprobe/web.yml');
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('parseWebConfig: a good file', () => {
  it('reads TLS, client certificates, versions, users and headers', () => {
    const spec = parseWebConfig(
      `tls_server_config:
  cert_file: server.crt
  key_file: /etc/ssl/private/server.key
  client_auth_type: RequireAndVerifyClientCert
  client_ca_file: ca.crt
  min_version: TLS13
http_server_config:
  http2: false
  headers:
    X-Frame-Options: deny
    Strict-Transport-Security: max-age=31536000
basic_auth_users:
  prometheus: "${HASH}"
  "ops team": "$2y$10$b2LEA0jIuPpufg2Rveh6Ou6EoTSMIt6s8LsAXMfPttekufnJ3Aic."
`,
      '/etc/mxprobe/web.yml',
    );
    expect(spec.tls).toMatchObject({
      // Relative names are taken from the web config's directory, as exporter-toolkit does.
      certFile: {
        path: '/etc/mxprobe/server.crt',
        origin: '/etc/mxprobe/web.yml:2: tls_server_config.cert_file',
      },
      keyFile: { path: '/etc/ssl/private/server.key' },
      clientCaFile: { path: '/etc/mxprobe/ca.crt' },
      clientAuth: 'RequireAndVerifyClientCert',
      minVersion: 'TLS13',
      maxVersion: 'TLS13',
    });
    expect([...spec.basicAuthUsers.keys()]).toEqual(['prometheus', 'ops team']);
    expect(spec.basicAuthUsers.get('prometheus')).toBe(HASH);
    expect(spec.headers).toEqual({
      'X-Frame-Options': 'deny',
      'Strict-Transport-Security': 'max-age=31536000',
    });
  });

  it('takes the toolkit defaults: TLS 1.2 to 1.3, no client certificates', () => {
    const spec = parseWebConfig(
      'tls_server_config:\n  cert_file: a.crt\n  key_file: a.key\n',
      'w.yml',
    );
    expect(spec.tls).toMatchObject({
      clientAuth: 'NoClientCert',
      minVersion: 'TLS12',
      maxVersion: 'TLS13',
    });
  });

  it.each([
    ['an empty file', ''],
    ['empty sections', 'tls_server_config:\nbasic_auth_users:\nhttp_server_config:\n'],
    ['only basic auth', `basic_auth_users:\n  prometheus: "${HASH}"\n`],
  ])('%s: no TLS', (_name, text) => {
    expect(parseWebConfig(text, 'w.yml').tls).toBeUndefined();
  });

  it('accepts the old spelling RequireClientCert as RequireAnyClientCert, as the toolkit does', () => {
    const spec = parseWebConfig(
      'tls_server_config:\n  cert_file: a.crt\n  key_file: a.key\n  client_auth_type: RequireClientCert\n',
      'w.yml',
    );
    expect(spec.tls?.clientAuth).toBe('RequireAnyClientCert');
  });
});

describe('parseWebConfig: one sentence per mistake, with file, line and field', () => {
  it.each([
    [
      'a typo in a key',
      'tls_server_config:\n  cert_file: a.crt\n  key_file: a.key\n  cert_fle: b.crt\n',
      '/etc/mxprobe/web.yml:4: tls_server_config.cert_fle: unknown key; expected one of cert_file, key_file, client_auth_type, client_ca_file, min_version, max_version',
    ],
    [
      'an unknown top-level key',
      'basic_auth:\n  a: b\n',
      '/etc/mxprobe/web.yml:1: basic_auth: unknown key; expected one of tls_server_config, http_server_config, basic_auth_users',
    ],
    [
      'a toolkit setting mxprobe lacks',
      'tls_server_config:\n  cert_file: a.crt\n  key_file: a.key\n  cipher_suites: [TLS_AES_128_GCM_SHA256]\n',
      "/etc/mxprobe/web.yml:4: tls_server_config.cipher_suites: an exporter-toolkit setting that mxprobe does not support: Node.js's default cipher suites are used",
    ],
    [
      'rate limiting',
      'rate_limit:\n  interval: 1s\n  burst: 5\n',
      '/etc/mxprobe/web.yml:1: rate_limit: an exporter-toolkit setting that mxprobe does not support: put a rate limit in front of mxprobe if you need one',
    ],
    [
      'a key without its certificate',
      'tls_server_config:\n  key_file: a.key\n',
      '/etc/mxprobe/web.yml:1: tls_server_config: missing cert_file (the server certificate)',
    ],
    [
      'a bad TLS version',
      'tls_server_config:\n  cert_file: a.crt\n  key_file: a.key\n  min_version: TLSv1.2\n',
      '/etc/mxprobe/web.yml:4: tls_server_config.min_version: expected TLS10, TLS11, TLS12 or TLS13, got "TLSv1.2"',
    ],
    [
      'min above max',
      'tls_server_config:\n  cert_file: a.crt\n  key_file: a.key\n  min_version: TLS13\n  max_version: TLS12\n',
      '/etc/mxprobe/web.yml:4: tls_server_config.min_version: TLS13 is above max_version TLS12',
    ],
    [
      'a bad client auth type',
      'tls_server_config:\n  cert_file: a.crt\n  key_file: a.key\n  client_auth_type: Required\n',
      '/etc/mxprobe/web.yml:4: tls_server_config.client_auth_type: expected NoClientCert, RequestClientCert, RequireAnyClientCert, VerifyClientCertIfGiven or RequireAndVerifyClientCert, got "Required"',
    ],
    [
      'a client CA without a policy',
      'tls_server_config:\n  cert_file: a.crt\n  key_file: a.key\n  client_ca_file: ca.crt\n',
      '/etc/mxprobe/web.yml:4: tls_server_config.client_ca_file: a client CA without client_auth_type; set client_auth_type: RequireAndVerifyClientCert',
    ],
    [
      'a verifying policy without a CA',
      'tls_server_config:\n  cert_file: a.crt\n  key_file: a.key\n  client_auth_type: RequireAndVerifyClientCert\n',
      '/etc/mxprobe/web.yml:4: tls_server_config.client_auth_type: RequireAndVerifyClientCert needs client_ca_file (the CA that signs client certificates)',
    ],
    [
      'a plain password instead of a hash (never quoted back)',
      'basic_auth_users:\n  prometheus: s3cret\n',
      `/etc/mxprobe/web.yml:2: basic_auth_users.prometheus: expected a bcrypt hash such as $2y$10$… (htpasswd -nBC 10 "" | tr -d ':\\n'), got something else`,
    ],
    [
      'a user name with a colon',
      `basic_auth_users:\n  "a:b": "${HASH}"\n`,
      '/etc/mxprobe/web.yml:2: basic_auth_users.a:b: a user name must be non-empty and without ":"',
    ],
    [
      'a header the toolkit does not allow',
      'http_server_config:\n  headers:\n    Server: mxprobe\n',
      '/etc/mxprobe/web.yml:3: http_server_config.headers.Server: a header that cannot be configured; expected one of Strict-Transport-Security, X-Content-Type-Options, X-Frame-Options, X-XSS-Protection, Content-Security-Policy',
    ],
    [
      'a header value outside the allowed ones',
      'http_server_config:\n  headers:\n    X-Frame-Options: allow\n',
      '/etc/mxprobe/web.yml:3: http_server_config.headers.X-Frame-Options: expected deny or sameorigin, got "allow"',
    ],
    [
      'http2 not a boolean',
      'http_server_config:\n  http2: sometimes\n',
      '/etc/mxprobe/web.yml:2: http_server_config.http2: expected true or false, got "sometimes"',
    ],
    [
      'not a mapping',
      '- cert_file: a.crt\n',
      '/etc/mxprobe/web.yml: expected a mapping of tls_server_config, http_server_config, basic_auth_users at the top level',
    ],
    [
      'a user given twice',
      `basic_auth_users:\n  prometheus: "${HASH}"\n  prometheus: "${HASH}"\n`,
      '/etc/mxprobe/web.yml:3: invalid YAML: Map keys must be unique',
    ],
  ])('%s', (_name, text, message) => {
    expect(problemsOf(text)).toEqual([message]);
  });

  it('reports every mistake of a file at once', () => {
    expect(
      problemsOf(
        'tls_server_config:\n  cert_file: a.crt\n  min_version: 1.2\nbasic_auth_users:\n  a: b\n',
      ),
    ).toHaveLength(3);
  });
});
