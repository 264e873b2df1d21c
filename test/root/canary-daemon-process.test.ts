// The built daemon with a canary, against the loopback Dovecot and relay: the canary runs on its
// own schedule, its latest run reaches /metrics and /status with the next published cycle, and
// a receiver slower than the probe interval holds no cycle up.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Report } from '../../src/types.js';
import { startCanaryRelay, type CanaryRelay, type CanaryRoute } from '../helpers/canary-relay.js';
import { freePort, spawnDaemon, type DaemonProcess } from '../helpers/daemon-process.js';
import { startDovecot, type Dovecot } from '../helpers/dovecot.js';

const USER = 'daemon@example.test';
const IMAP_PASSWORD = 'Imap-Pa55word!process';
const RELAY_PASSWORD = 'Relay-Pa55word!process';
/** The receiver's delay: three probe intervals. */
const DELAY_MS = 3_000;

let dovecot: Dovecot;
let relay: CanaryRelay;
let daemon: DaemonProcess | undefined;
const route: CanaryRoute = {
  to: 'INBOX',
  delayMs: DELAY_MS,
  authResults: 'mx.example.test; spf=pass; dkim=pass; dmarc=pass',
};
const dir = mkdtempSync(join(tmpdir(), 'mxprobe-canary-process-'));

beforeAll(async () => {
  dovecot = await startDovecot([{ user: USER, password: IMAP_PASSWORD }]);
  relay = await startCanaryRelay({
    dovecot,
    username: 'relay-user',
    password: RELAY_PASSWORD,
    routes: { [USER]: route },
    refusedSenders: [],
  });
}, 30_000);

afterAll(async () => {
  await daemon?.stop();
  await relay?.close();
  await dovecot?.stop();
  rmSync(dir, { recursive: true, force: true });
});

it('the daemon exports mxprobe_canary_status and the delivery seconds; a slow mailbox delays no cycle', async () => {
  const port = await freePort();
  const config = join(dir, 'mxprobe.yaml');
  writeFileSync(
    config,
    [
      'interval: 1s',
      `listen: "127.0.0.1:${port}"`,
      'connectTimeout: 1s',
      'targets:',
      '  - host: 127.0.0.1',
      `    ports: [${relay.port}]`,
      'relays:',
      `  - { name: loopback-relay, host: 127.0.0.1, port: ${relay.port}, secure: none, username: relay-user, passwordEnv: MXPROBE_CANARY_RELAY }`,
      'canaries:',
      `  - { name: daemon-inbox, relay: loopback-relay, from: canary@example.test, to: ${USER}, imap: { host: 127.0.0.1, port: ${dovecot.port}, secure: none, username: ${USER}, passwordEnv: MXPROBE_CANARY_IMAP }, timeout: 20s, interval: 1m }`,
      '',
    ].join('\n'),
  );
  daemon = spawnDaemon(['--config', config, '--min-interval', '1s', '--dnsbl', 'none'], {
    env: { MXPROBE_CANARY_IMAP: IMAP_PASSWORD, MXPROBE_CANARY_RELAY: RELAY_PASSWORD },
  });
  const finished = await daemon.waitFor((e) => e.msg === 'canary finished', { timeoutMs: 30_000 });
  expect(finished.status).toBe('delivered');
  // While the canary waited on its mailbox, the 1 s cycles went on being published.
  const cyclesBefore = daemon.logs
    .slice(0, daemon.logs.indexOf(finished))
    .filter((e) => e.msg === 'probe cycle finished').length;
  expect(cyclesBefore).toBeGreaterThanOrEqual(2);

  // The next published cycle carries the run.
  const base = `http://127.0.0.1:${port}`;
  let body = '';
  for (let i = 0; i < 40 && !body.includes('mxprobe_canary_delivery_seconds{'); i += 1) {
    await new Promise((r) => setTimeout(r, 250));
    body = await (await fetch(`${base}/metrics`)).text();
  }
  expect(body).toMatch(/^mxprobe_canary_status\{canary="daemon-inbox",status="delivered"\} 1$/m);
  expect(body).toMatch(/^mxprobe_canary_status\{canary="daemon-inbox",status="lost"\} 0$/m);
  const seconds = /^mxprobe_canary_delivery_seconds\{canary="daemon-inbox"\} (\S+)$/m.exec(body);
  expect(seconds).not.toBeNull();
  // At least the receiver's delay, and less than the canary's timeout.
  expect(Number(seconds?.[1])).toBeGreaterThanOrEqual(DELAY_MS / 1000);
  expect(Number(seconds?.[1])).toBeLessThan(20);

  const status = (await (await fetch(`${base}/status`)).json()) as Report;
  expect(status.canaries?.map((c) => [c.name, c.status])).toEqual([['daemon-inbox', 'delivered']]);
  for (const secret of [IMAP_PASSWORD, RELAY_PASSWORD]) {
    expect(body.includes(secret)).toBe(false);
    expect(JSON.stringify(status).includes(secret)).toBe(false);
    expect(daemon.stderr().includes(secret)).toBe(false);
  }

  // The canary stops with the daemon: the exit is prompt and clean.
  const stopped = await daemon.stop();
  daemon = undefined;
  expect(stopped.code).toBe(0);
}, 60_000);
