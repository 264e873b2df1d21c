// A relay password never leaves mxprobe: a hostile relay echoes the AUTH PLAIN token (and its
// decoded text) in its 535, for usernames of every length modulo 3, the README's
// "resource|appId|tenantId" among them, and every output is searched for the password and its
// base64 forms at all three byte alignments: the human report, --json, the textfile, the logs,
// and the daemon's /status, /metrics, /healthz and logs.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/types.js';
import { freePort, spawnDaemon } from '../helpers/daemon-process.js';
import { authEchoRelay } from '../helpers/hostile-servers.js';
import { realSmtpServer, type Loopback } from '../helpers/loopback-servers.js';
import { mxprobe } from '../helpers/run-mxprobe.js';

const PASSWORD = 'S3cret-Passw0rd!x';
const ENV = { MXPROBE_SECRET_TEST: PASSWORD };
// AUTH PLAIN puts the password at byte len(user) + 2 of the token: offsets 0, 1, 2 (mod 3).
const USERNAMES = ['a', 'ab', 'abc', 'resource|appId|tenantId', 'probe@example.test'];

/** Everything that would give the password away, computed here without mxprobe's code. */
function forbidden(): string[] {
  const out = [PASSWORD, Buffer.from(PASSWORD).toString('base64')];
  for (const offset of [0, 1, 2]) {
    const encoded = Buffer.concat([Buffer.alloc(offset), Buffer.from(PASSWORD)]).toString('base64');
    const whole = 4 * Math.floor((offset + PASSWORD.length) / 3);
    out.push(encoded.slice(offset === 0 ? 0 : offset + 1, whole));
  }
  for (const user of USERNAMES) {
    out.push(Buffer.from(`\0${user}\0${PASSWORD}`).toString('base64'));
  }
  return out;
}

function expectNoSecret(where: string, text: string): void {
  expect(text.length, `${where} is empty`).toBeGreaterThan(0);
  for (const form of forbidden()) {
    expect(text.includes(form), `${where} contains ${JSON.stringify(form)}`).toBe(false);
  }
}

let relay: Loopback;
let smtp: Loopback;
const dir = mkdtempSync(join(tmpdir(), 'mxprobe-secrets-'));
let config: string;
let listen: string;

beforeAll(async () => {
  relay = await authEchoRelay();
  smtp = await realSmtpServer();
  listen = `127.0.0.1:${await freePort()}`;
  config = join(dir, 'relays.yaml');
  writeFileSync(
    config,
    [
      'interval: 1s',
      `listen: "${listen}"`,
      'connectTimeout: 1s',
      'greetingTimeout: 2s',
      'targets:',
      '  - host: 127.0.0.1',
      `    ports: [${smtp.port}]`,
      'relays:',
      ...USERNAMES.flatMap((username, i) => [
        `  - name: r${i}`,
        '    host: 127.0.0.1',
        `    port: ${relay.port}`,
        '    secure: none',
        `    username: "${username}"`,
        '    passwordEnv: MXPROBE_SECRET_TEST',
      ]),
      '',
    ].join('\n'),
  );
});
afterAll(async () => {
  await Promise.all([relay.close(), smtp.close()]);
});

describe('the relay password in every output', () => {
  it('the relay did echo the tokens: every relay auth-failed, the 535 kept, the token redacted', async () => {
    const run = await mxprobe(
      [
        'probe',
        '--once',
        '--json',
        '--no-cloud-detection',
        '--min-interval',
        '1s',
        '--config',
        config,
      ],
      ENV,
    );
    const report = JSON.parse(run.stdout) as Report;
    expect(report.relays).toHaveLength(USERNAMES.length);
    for (const r of report.relays) {
      expect(r.status).toBe('auth-failed');
      expect(r.reason).toMatch(/535/);
      expect(r.reason).toContain('***');
    }
    expect(relay.received.flat().filter((l) => /^AUTH PLAIN/i.test(l))).toHaveLength(
      USERNAMES.length,
    );
    expectNoSecret('--json stdout', run.stdout);
    expectNoSecret('--json stderr', run.stderr + ' ');
  });

  it('probe --once: the human report, debug logs and the textfile', async () => {
    const textfile = join(dir, 'mxprobe.prom');
    const run = await mxprobe(
      [
        'probe',
        '--once',
        '--no-cloud-detection',
        '--min-interval',
        '1s',
        '--log-level',
        'debug',
        '--textfile',
        textfile,
        '--config',
        config,
      ],
      ENV,
    );
    expect(run.stdout).toMatch(/Relays/);
    expectNoSecret('human stdout', run.stdout);
    expectNoSecret('debug log on stderr', run.stderr);
    expectNoSecret('textfile', readFileSync(textfile, 'utf8'));
  });

  it('the daemon: /status, /metrics, /healthz and its logs at debug', async () => {
    const daemon = spawnDaemon(
      ['--config', config, '--min-interval', '1s', '--log-level', 'debug'],
      { env: ENV },
    );
    try {
      await daemon.waitFor((e) => e.msg === 'probe cycle finished');
      const base = `http://${listen}`;
      const status = await (await fetch(`${base}/status`)).text();
      expect((JSON.parse(status) as Report).relays[0]?.status).toBe('auth-failed');
      expectNoSecret('/status', status);
      expectNoSecret('/metrics', await (await fetch(`${base}/metrics`)).text());
      expectNoSecret('/healthz', await (await fetch(`${base}/healthz`)).text());
    } finally {
      await daemon.stop();
    }
    expectNoSecret('daemon logs', JSON.stringify(daemon.logs));
    expectNoSecret('daemon stderr', daemon.stderr() + ' ');
  });
});
