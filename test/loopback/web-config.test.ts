// The daemon behind a web config (--web.config.file, exporter-toolkit format), as Prometheus and
// an operator meet it on loopback: a real TLS listener with a test CA, basic auth with bcrypt
// hashes on every endpoint, client certificates, /status with and without authentication,
// the landing page and POST /-/reload.
import { hashSync } from 'bcryptjs';
import { EventEmitter } from 'node:events';
import { writeFileSync } from 'node:fs';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { join } from 'node:path';
import type { PeerCertificate, TLSSocket } from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/error.js';
import { loadConfigFile } from '../../src/config/load.js';
import { loadWebConfig } from '../../src/config/web.js';
import type { ProbeConfig } from '../../src/config/types.js';
import { createLogger } from '../../src/log.js';
import { runDaemon } from '../../src/serve/daemon.js';
import { freePort } from '../helpers/daemon-process.js';
import { azureBlockedReport } from '../helpers/report-fixtures.js';
import { makeTestPki, type TestPki } from '../helpers/test-pki.js';

const SUBSCRIPTION = '8d10da13-8125-4ba9-a717-bf7490507b3d';
const ENDPOINTS: readonly [string, string, number][] = [
  ['GET', '/', 200],
  ['GET', '/metrics', 200],
  ['GET', '/status', 200],
  ['HEAD', '/status', 200],
  ['GET', '/healthz', 200],
  ['POST', '/-/reload', 200],
  ['GET', '/no-such-page', 404],
];

let pki: TestPki;
beforeAll(() => {
  pki = makeTestPki();
});
afterAll(() => pki.cleanup());

interface Response {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  peer: PeerCertificate;
}

interface ClientOptions {
  method?: string;
  auth?: string;
  ca?: string | null;
  cert?: string;
  key?: string;
  maxVersion?: RequestOptions['maxVersion'];
}

/** One HTTPS request on a fresh connection (no agent: every request does its own handshake). */
function get(url: string, options: ClientOptions = {}): Promise<Response> {
  const { method = 'GET', auth, ca = pki.ca.cert, cert, key, maxVersion } = options;
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      url,
      {
        method,
        agent: false,
        ...(ca === null ? {} : { ca }),
        ...(cert === undefined ? {} : { cert, key }),
        ...(maxVersion === undefined ? {} : { maxVersion }),
        ...(auth === undefined
          ? {}
          : { headers: { authorization: `Basic ${Buffer.from(auth).toString('base64')}` } }),
      },
      (res) => {
        let body = '';
        const peer = (res.socket as TLSSocket).getPeerCertificate();
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, peer }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

interface Exporter {
  base: string;
  dir: string;
  logs: Record<string, unknown>[];
  configFile: string;
  webFile: string;
  stop(): Promise<void>;
}

const running: Exporter[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((e) => e.stop()));
});

/** A daemon configured by files, as `mxprobe probe --config.file … --web.config.file …`. */
async function startExporter(
  web: string,
  name: string,
  { lifecycle = true }: { lifecycle?: boolean } = {},
): Promise<Exporter> {
  const port = await freePort();
  const configFile = join(pki.dir, `${name}.yaml`);
  const webFile = join(pki.dir, `${name}-web.yml`);
  writeFileSync(configFile, probeConfig(port, '1m'));
  writeFileSync(webFile, web);
  // --web.enable-lifecycle is a flag: the CLI applies it over every (re)loaded config file.
  const withFlags = async (): Promise<ProbeConfig> => ({
    ...(await loadConfigFile(configFile)),
    enableLifecycle: lifecycle,
  });
  const config = await withFlags();
  const signals = new EventEmitter();
  const logs: Record<string, unknown>[] = [];
  let listening = false;
  const done = runDaemon({
    config,
    reloadConfig: withFlags,
    web: await loadWebConfig(webFile),
    reloadWeb: () => loadWebConfig(webFile),
    log: createLogger({
      level: 'debug',
      format: 'json',
      write: (line) => logs.push(JSON.parse(line) as Record<string, unknown>),
    }),
    runPass: () => Promise.resolve(azureBlockedReport()),
    signals,
    random: () => 0,
    onListening: () => (listening = true),
  });
  while (!logs.some((l) => l.msg === 'probe cycle finished')) {
    if (logs.some((l) => l.level === 'error')) throw new Error(JSON.stringify(logs));
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  expect(listening).toBe(true);
  const exporter: Exporter = {
    base: `https://127.0.0.1:${port}`,
    dir: pki.dir,
    logs,
    configFile,
    webFile,
    stop: async () => {
      signals.emit('SIGTERM');
      await done;
    },
  };
  running.push(exporter);
  return exporter;
}

function probeConfig(port: number, interval: string): string {
  return `listen: "127.0.0.1:${port}"\ninterval: ${interval}\ntargets:\n  - domain: example.test\n    ports: [25, 587]\n`;
}

const tls = (extra = ''): string =>
  `tls_server_config:\n  cert_file: ${pki.server.certFile}\n  key_file: server.key\n${extra}`;
const users = (password = 's3cret'): string =>
  `basic_auth_users:\n  prometheus: "${hashSync(password, 4)}"\n`;

describe('TLS and basic auth on every endpoint', () => {
  it('without credentials, or with wrong ones: 401 with WWW-Authenticate: Basic; with the right ones: the endpoint', async () => {
    const e = await startExporter(tls() + users(), 'auth');
    for (const [method, path, status] of ENDPOINTS) {
      const url = `${e.base}${path}`;
      for (const auth of [undefined, 'prometheus:wrong', 'nobody:s3cret', 'prometheus:']) {
        const denied = await get(url, { method, ...(auth === undefined ? {} : { auth }) });
        expect([method, path, auth, denied.status]).toEqual([method, path, auth, 401]);
        expect(denied.headers['www-authenticate']).toMatch(/^Basic realm="mxprobe"/);
        expect(denied.body).not.toContain(SUBSCRIPTION);
      }
      const allowed = await get(url, { method, auth: 'prometheus:s3cret' });
      expect([method, path, allowed.status]).toEqual([method, path, status]);
    }
  });

  it('serves the certificate of cert_file; a client that does not trust the CA gets no answer', async () => {
    const e = await startExporter(tls() + users(), 'trust');
    const ok = await get(`${e.base}/healthz`, { auth: 'prometheus:s3cret' });
    expect(ok.peer.subject.CN).toBe('localhost');
    await expect(get(`${e.base}/healthz`, { ca: null })).rejects.toMatchObject({
      code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    });
    // Plain HTTP on the TLS port is no way around it.
    await expect(fetch(`${e.base.replace('https', 'http')}/status`)).rejects.toThrow();
  });

  it('an authenticated /status shows the account ids; a scrape of /metrics never does', async () => {
    const e = await startExporter(tls() + users(), 'ids');
    const status = await get(`${e.base}/status`, { auth: 'prometheus:s3cret' });
    expect(JSON.parse(status.body)).toMatchObject({
      environment: { azure: { subscriptionId: SUBSCRIPTION } },
    });
    expect(JSON.parse(status.body)).not.toHaveProperty('redacted');
    const metrics = await get(`${e.base}/metrics`, { auth: 'prometheus:s3cret' });
    expect(metrics.body).toContain('mxprobe_diagnosis{code="port25-blocked"} 1');
    expect(metrics.body).not.toContain(SUBSCRIPTION);
  });

  it('min_version TLS13 refuses a TLS 1.2 client', async () => {
    const e = await startExporter(tls('  min_version: TLS13\n'), 'tls13');
    await expect(get(`${e.base}/healthz`, { maxVersion: 'TLSv1.2' })).rejects.toThrow(
      /version|alert/i,
    );
    expect((await get(`${e.base}/healthz`)).status).toBe(200);
  });

  it('adds the headers of http_server_config to every answer, 401s included', async () => {
    const e = await startExporter(
      `${tls()}${users()}http_server_config:\n  headers:\n    X-Frame-Options: deny\n    Strict-Transport-Security: max-age=31536000\n`,
      'headers',
    );
    for (const auth of [undefined, 'prometheus:s3cret']) {
      const response = await get(`${e.base}/metrics`, auth === undefined ? {} : { auth });
      expect(response.headers['x-frame-options']).toBe('deny');
      expect(response.headers['strict-transport-security']).toBe('max-age=31536000');
    }
  });
});

describe('client certificates', () => {
  const verified = (policy: string): string =>
    tls(`  client_auth_type: ${policy}\n  client_ca_file: ${pki.ca.certFile}\n`);
  const client = () => ({ cert: pki.client.cert, key: pki.client.key });
  const stranger = () => ({ cert: pki.stranger.cert, key: pki.stranger.key });

  it('RequireAndVerifyClientCert: only a certificate of client_ca_file gets in, and it counts as authenticated', async () => {
    const e = await startExporter(verified('RequireAndVerifyClientCert'), 'mtls');
    await expect(get(`${e.base}/healthz`)).rejects.toThrow();
    await expect(get(`${e.base}/healthz`, stranger())).rejects.toThrow();
    const status = await get(`${e.base}/status`, client());
    expect(status.status).toBe(200);
    expect(JSON.parse(status.body).environment.azure.subscriptionId).toBe(SUBSCRIPTION);
  });

  it('VerifyClientCertIfGiven: no certificate is let in (with ids redacted), a foreign one is not', async () => {
    const e = await startExporter(verified('VerifyClientCertIfGiven'), 'if-given');
    const anonymous = await get(`${e.base}/status`);
    expect(anonymous.status).toBe(200);
    expect(JSON.parse(anonymous.body).environment.azure.subscriptionId).toBe('redacted');
    await expect(get(`${e.base}/status`, stranger())).rejects.toThrow();
    const known = await get(`${e.base}/status`, client());
    expect(JSON.parse(known.body).environment.azure.subscriptionId).toBe(SUBSCRIPTION);
  });

  it('RequireAnyClientCert: any certificate, none is refused; it proves nothing', async () => {
    const e = await startExporter(tls('  client_auth_type: RequireAnyClientCert\n'), 'any-cert');
    await expect(get(`${e.base}/healthz`)).rejects.toThrow();
    const status = await get(`${e.base}/status`, stranger());
    expect(status.status).toBe(200);
    expect(JSON.parse(status.body).environment.azure.subscriptionId).toBe('redacted');
  });
});

describe('POST /-/reload', () => {
  it('403 without --web.enable-lifecycle, as Prometheus answers; the config is not re-read', async () => {
    const e = await startExporter(tls() + users(), 'no-lifecycle', { lifecycle: false });
    writeFileSync(e.configFile, 'interval: soon\ntargets: []\n');
    const reload = await get(`${e.base}/-/reload`, { method: 'POST', auth: 'prometheus:s3cret' });
    expect([reload.status, reload.body]).toEqual([
      403,
      'lifecycle API is not enabled (start with --web.enable-lifecycle)\n',
    ]);
    expect(e.logs.some((l) => l.msg === 'reloading config')).toBe(false);
  });

  it('asks for basic auth first when the web config has users, lifecycle or not', async () => {
    const e = await startExporter(tls() + users(), 'lifecycle-auth');
    const reload = await get(`${e.base}/-/reload`, { method: 'POST' });
    expect(reload.status).toBe(401);
  });

  it('200 once the new config and web config are in force: a new interval, a new password, a renewed certificate', async () => {
    const e = await startExporter(tls() + users('old'), 'reload');
    const port = new URL(e.base).port;
    writeFileSync(e.configFile, probeConfig(Number(port), '2m'));
    writeFileSync(
      e.webFile,
      `tls_server_config:\n  cert_file: renewed.pem\n  key_file: renewed.key\n${users('new')}`,
    );
    const reload = await get(`${e.base}/-/reload`, { method: 'POST', auth: 'prometheus:old' });
    expect([reload.status, reload.body]).toEqual([200, 'config reloaded\n']);
    expect((await get(`${e.base}/healthz`, { auth: 'prometheus:old' })).status).toBe(401);
    const after = await get(`${e.base}/metrics`, { auth: 'prometheus:new' });
    expect(after.body).toContain('mxprobe_cycle_interval_seconds 120');
    expect(after.peer.subject.CN).toBe('localhost renewed');
    expect(e.logs.find((l) => l.msg === 'reloading config')).toMatchObject({
      trigger: 'POST /-/reload',
    });
  });

  it('500 with the one-line reason when the config is refused; the running one stays', async () => {
    const e = await startExporter(tls() + users(), 'reload-bad');
    writeFileSync(e.configFile, 'interval: soon\ntargets: []\n');
    const reload = await get(`${e.base}/-/reload`, { method: 'POST', auth: 'prometheus:s3cret' });
    expect(reload.status).toBe(500);
    expect(reload.body).toBe(
      `reload failed: ${e.configFile}:1: interval: expected a duration such as "1500ms", "10s" or "5m", got "soon"; ${e.configFile}:2: targets: expected a non-empty list of targets (each with domain: or host:), got a list\n`,
    );
    const metrics = await get(`${e.base}/metrics`, { auth: 'prometheus:s3cret' });
    expect(metrics.body).toContain('mxprobe_cycle_interval_seconds 60');
  });

  it('a bad web config is refused too, naming its file, line and field; the old users still get in', async () => {
    const e = await startExporter(tls() + users(), 'reload-web');
    writeFileSync(e.webFile, `${tls()}basic_auth_users:\n  prometheus: s3cret\n`);
    const reload = await get(`${e.base}/-/reload`, { method: 'POST', auth: 'prometheus:s3cret' });
    expect(reload.status).toBe(500);
    expect(reload.body).toMatch(
      new RegExp(
        `^reload failed: ${e.webFile}:5: basic_auth_users\\.prometheus: expected a bcrypt hash`,
      ),
    );
    expect((await get(`${e.base}/healthz`, { auth: 'prometheus:s3cret' })).status).toBe(200);
  });

  it('TLS is not switched off by a reload: refused, and the listener stays TLS', async () => {
    const e = await startExporter(tls(), 'reload-tls');
    writeFileSync(e.webFile, '');
    const reload = await get(`${e.base}/-/reload`, { method: 'POST' });
    expect(reload).toMatchObject({
      status: 500,
      body: `reload failed: ${e.webFile}: tls_server_config is added or removed only on restart\n`,
    });
    expect((await get(`${e.base}/healthz`)).status).toBe(200);
  });
});

describe('the landing page', () => {
  it('links /metrics, /status and /healthz, names the version, loads nothing from elsewhere', async () => {
    const e = await startExporter(tls(), 'landing');
    const page = await get(`${e.base}/`);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toBe(
      "default-src 'none'; style-src 'unsafe-inline'",
    );
    for (const link of ['metrics', 'status', 'healthz'])
      expect(page.body).toContain(`<a href="${link}">/${link}</a>`);
    expect(page.body).toMatch(
      /Version \d+\.\d+\.\d+; latest diagnosis: <code>port25-blocked<\/code>/,
    );
    expect(page.body).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(page.body).not.toContain('<script');
  });
});

describe('loading the web config', () => {
  it.each([
    [
      'a certificate file that is not there',
      () => `tls_server_config:\n  cert_file: missing.crt\n  key_file: server.key\n`,
      (file: string) =>
        `${file}:2: tls_server_config.cert_file: cannot read ${pki.dir}/missing.crt: no such file`,
    ],
    [
      'a key that does not belong to the certificate',
      () => `tls_server_config:\n  cert_file: server.pem\n  key_file: client.key\n`,
      (file: string) =>
        `${file}:1: tls_server_config: cert_file and key_file do not make a key pair: error:05800074:x509 certificate routines::key values mismatch`,
    ],
    [
      'a client CA file that holds no certificate',
      () =>
        `tls_server_config:\n  cert_file: server.pem\n  key_file: server.key\n  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: server.key\n`,
      (file: string) => `${file}:5: tls_server_config.client_ca_file: not a PEM CA certificate`,
    ],
  ])('%s: one line naming the file, line and field', async (_name, text, message) => {
    const file = join(pki.dir, 'load.yml');
    writeFileSync(file, text());
    const error = await loadWebConfig(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toHaveLength(1);
    expect((error as ConfigError).problems[0]).toContain(message(file));
  });
});
