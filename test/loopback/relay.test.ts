import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SMTPServerOptions } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRelaySecret } from '../../src/relay/secret.js';
import { verifyRelay, type VerifyRelayOptions } from '../../src/relay/verify.js';
import type { RelayReport, RelaySpec } from '../../src/types.js';
import {
  freePort,
  makeTestCert,
  startSilentServer,
  startSmtpServer,
  type Listening,
  type TestCert,
} from '../helpers/relay-fixtures.js';

const USER = 'probe@example.test';
const PASSWORD = 'correct horse battery staple';
const WRONG = 'Tr0ub4dor&3-wrong';

let cert: TestCert;
let dir: string;
const servers: Listening[] = [];
const delivered: { to: string[]; body: string }[] = [];

const onAuth: NonNullable<SMTPServerOptions['onAuth']> = (auth, _session, callback) => {
  if (auth.username === USER && auth.password === PASSWORD) callback(null, { user: USER });
  else callback(new Error('Invalid username or password'));
};

async function smtp(options: SMTPServerOptions): Promise<number> {
  const server = await startSmtpServer({ key: cert.key, cert: cert.cert, onAuth, ...options });
  servers.push(server);
  return server.port;
}

function relay(port: number, extra: Partial<RelaySpec> = {}): RelaySpec {
  return {
    name: 'test',
    host: '127.0.0.1',
    port,
    secure: 'starttls',
    username: USER,
    passwordEnv: 'MXPROBE_TEST_RELAY_PASSWORD',
    ...extra,
  };
}

function options(extra: Partial<VerifyRelayOptions> = {}): VerifyRelayOptions {
  return {
    connectTimeoutMs: 2000,
    greetingTimeoutMs: 2000,
    ca: cert.cert,
    readSecret: (r) => readRelaySecret(r, { MXPROBE_TEST_RELAY_PASSWORD: PASSWORD }),
    ...extra,
  };
}

function expectNoSecret(report: RelayReport): void {
  const json = JSON.stringify(report);
  for (const secret of [PASSWORD, WRONG]) {
    expect(json).not.toContain(secret);
    expect(json).not.toContain(Buffer.from(secret).toString('base64'));
  }
}

beforeAll(() => {
  cert = makeTestCert();
  dir = mkdtempSync(join(tmpdir(), 'mxprobe-relay-test-'));
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  rmSync(dir, { recursive: true, force: true });
});

describe('verifyRelay against loopback relays', () => {
  it('reports ok for STARTTLS + AUTH with good credentials', async () => {
    const port = await smtp({});
    const report = await verifyRelay(relay(port), options());
    expect(report).toMatchObject({
      name: 'test',
      host: '127.0.0.1',
      port,
      status: 'ok',
      reason: null,
    });
    expect(report.durationMs).toBeGreaterThanOrEqual(0);
    expectNoSecret(report);
  });

  it('reports ok for implicit TLS (465 style)', async () => {
    const port = await smtp({ secure: true });
    const report = await verifyRelay(relay(port, { secure: 'tls' }), options());
    expect(report.status).toBe('ok');
  });

  it('reports auth-failed for a wrong password, without the password', async () => {
    const port = await smtp({});
    const report = await verifyRelay(
      relay(port),
      options({ readSecret: () => Promise.resolve(WRONG) }),
    );
    expect(report.status).toBe('auth-failed');
    expect(report.reason).toMatch(/535/);
    expectNoSecret(report);
  });

  it('reports auth-failed when the relay offers no AUTH at all', async () => {
    const port = await smtp({ disabledCommands: ['AUTH'] });
    const report = await verifyRelay(relay(port), options());
    expect(report.status).toBe('auth-failed');
  });

  it('reports blocked when the port refuses the connection', async () => {
    const report = await verifyRelay(relay(await freePort()), options());
    expect(report.status).toBe('blocked');
    expect(report.reason).toMatch(/ECONNREFUSED/);
  });

  // Loopback cannot drop SYNs without root, so "filtered" is simulated by a listener that
  // accepts and stays silent: docs/reference.md ("Results and reasons") calls that filtered (no-greeting).
  it('reports filtered when a listener accepts but never greets', async () => {
    const silent = await startSilentServer();
    servers.push(silent);
    const started = Date.now();
    const report = await verifyRelay(relay(silent.port), options({ greetingTimeoutMs: 300 }));
    expect(report.status).toBe('filtered');
    expect(report.reason).toMatch(/greeting/);
    expect(Date.now() - started).toBeLessThan(1500);
    expect(silent.accepted()).toBe(1);
  });

  it('reports tls-failed when STARTTLS is required but the relay does not offer it', async () => {
    const port = await smtp({ disabledCommands: ['STARTTLS'], allowInsecureAuth: true });
    const report = await verifyRelay(relay(port), options());
    expect(report.status).toBe('tls-failed');
    expectNoSecret(report);
  });

  it('reports tls-failed when the certificate is not trusted (verification stays on)', async () => {
    const port = await smtp({});
    const withoutCa = options();
    delete withoutCa.ca;
    const report = await verifyRelay(relay(port), withoutCa);
    expect(report.status).toBe('tls-failed');
    expect(report.reason).toMatch(/certificate/i);
  });

  it('reports tls-failed when implicit TLS meets a plain-text server', async () => {
    const port = await smtp({});
    const report = await verifyRelay(relay(port, { secure: 'tls' }), options());
    expect(report.status).toBe('tls-failed');
  });

  it('sends a test message only when a recipient is configured', async () => {
    const port = await smtp({
      onData(stream, session, callback) {
        let body = '';
        stream.setEncoding('utf8');
        stream.on('data', (chunk: string) => (body += chunk));
        stream.on('end', () => {
          delivered.push({ to: session.envelope.rcptTo.map((a) => a.address), body });
          callback();
        });
      },
    });
    const before = delivered.length;
    expect((await verifyRelay(relay(port), options())).status).toBe('ok');
    expect(delivered.length).toBe(before);

    const report = await verifyRelay(
      relay(port, { testRecipient: 'postmaster@example.test' }),
      options(),
    );
    expect(report.status).toBe('ok');
    expect(report.reason).toMatch(/postmaster@example\.test/);
    expect(delivered.length).toBe(before + 1);
    expect(delivered.at(-1)?.to).toEqual(['postmaster@example.test']);
    expectNoSecret(report);
  });

  it('closes the connection at once when aborted', async () => {
    const silent = await startSilentServer();
    servers.push(silent);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const started = Date.now();
    const report = await verifyRelay(
      relay(silent.port),
      options({ greetingTimeoutMs: 10_000, signal: controller.signal }),
    );
    expect(report).toMatchObject({ status: 'error', reason: 'aborted' });
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('relay secrets', () => {
  it('reads passwordFile (one trailing newline stripped) and uses it', async () => {
    const file = join(dir, 'secret');
    writeFileSync(file, `${PASSWORD}\n`, { mode: 0o600 });
    const spec = relay(0, { passwordFile: file });
    delete spec.passwordEnv;
    await expect(readRelaySecret(spec)).resolves.toBe(PASSWORD);

    const port = await smtp({});
    const report = await verifyRelay(
      { ...spec, port },
      { connectTimeoutMs: 2000, greetingTimeoutMs: 2000, ca: cert.cert },
    );
    expect(report.status).toBe('ok');
  });

  it('reads passwordEnv', async () => {
    const spec = relay(0, { passwordEnv: 'MXPROBE_RELAY_SECRET_X' });
    await expect(readRelaySecret(spec, { MXPROBE_RELAY_SECRET_X: PASSWORD })).resolves.toBe(
      PASSWORD,
    );
  });

  it('reports error naming the missing file, without trying the relay', async () => {
    const spec = relay(await freePort(), { passwordFile: join(dir, 'nope') });
    delete spec.passwordEnv;
    const report = await verifyRelay(spec, {
      connectTimeoutMs: 2000,
      greetingTimeoutMs: 2000,
    });
    expect(report.status).toBe('error');
    expect(report.reason).toBe(`cannot read passwordFile ${join(dir, 'nope')}: no such file`);
  });

  it('reports error naming the unset variable', async () => {
    const report = await verifyRelay(relay(await freePort(), { passwordEnv: 'MXPROBE_UNSET_X' }), {
      connectTimeoutMs: 2000,
      greetingTimeoutMs: 2000,
      readSecret: (r) => readRelaySecret(r, {}),
    });
    expect(report).toMatchObject({
      status: 'error',
      reason: 'environment variable MXPROBE_UNSET_X is not set or empty',
    });
  });

  it('needs no secret for a relay without a username', async () => {
    await expect(
      readRelaySecret({ name: 'open', host: '127.0.0.1', port: 25, secure: 'none' }),
    ).resolves.toBeUndefined();
  });
});
