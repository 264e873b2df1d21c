// The delivery canary end to end on loopback: a real Dovecot (IMAP, a Junk folder flagged by
// SPECIAL-USE) and an authenticated relay that delivers into it. Each status comes from its own
// case: delivered, spam (the receiving side files it into Junk), lost (the relay accepts and
// drops it), send-failed (the relay refuses the sender), imap-failed (a wrong IMAP password).
// Other messages in the mailboxes, one of them another canary's and one marked \Deleted, are
// left exactly as they were, and no canary message is left behind.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCanary, type CanaryRunOptions } from '../../src/canary/run.js';
import { canarySeries } from '../../src/report/canary-series.js';
import type { CanaryReport, CanarySpec } from '../../src/canary/types.js';
import { canaryHints, deliveryLines } from '../../src/canary/words.js';
import type { RelaySpec, Report } from '../../src/types.js';
import { REFUSAL, startCanaryRelay, type CanaryRelay } from '../helpers/canary-relay.js';
import { mxprobe } from '../helpers/run-mxprobe.js';
import { startDovecot, type Dovecot, type StoredMessage } from '../helpers/dovecot.js';

const IMAP_PASSWORD = 'Imap-Pa55word!canary';
const RELAY_PASSWORD = 'Relay-Pa55word!canary';
const USERS = ['inbox@example.test', 'junk@example.test', 'drop@example.test'];
const RECEIVER_AUTH =
  'mx.example.test; spf=pass smtp.mailfrom=example.test; dkim=none (no signature); dmarc=fail (p=none) header.from=example.test';
const JUNK_AUTH = 'mx.example.test; spf=softfail smtp.mailfrom=example.test; dkim=fail; dmarc=fail';

let dovecot: Dovecot;
let relay: CanaryRelay;
let relaySpec: RelaySpec;
/** Every user's messages before any canary ran. */
const before = new Map<string, StoredMessage[]>();

const OTHER_MESSAGES = [
  { folder: 'INBOX', flags: undefined, raw: mail('Quarterly report', 'From: boss@example.test') },
  {
    folder: 'INBOX',
    flags: 'S',
    raw: mail('mxprobe canary ops (a person wrote this)', 'From: a@example.test'),
  },
  {
    folder: 'INBOX',
    flags: 'T',
    raw: mail('Marked deleted, not expunged', 'From: b@example.test'),
  },
  {
    folder: 'INBOX',
    flags: undefined,
    raw: mail('Another canary', 'X-Mxprobe-Canary: canary=ops-other; token=ops-other/1/aa'),
  },
  { folder: 'Junk', flags: undefined, raw: mail('Cheap watches', 'From: spam@example.test') },
] as const;

function mail(subject: string, header: string): string {
  return `${header}\r\nTo: someone@example.test\r\nSubject: ${subject}\r\nDate: Tue, 1 Dec 2026 10:00:00 +0000\r\n\r\nHello.\r\n`;
}

beforeAll(async () => {
  dovecot = await startDovecot(USERS.map((user) => ({ user, password: IMAP_PASSWORD })));
  for (const user of USERS) {
    for (const m of OTHER_MESSAGES) dovecot.deliver(user, m.folder, m.raw, m.flags);
    before.set(user, dovecot.messages(user));
  }
  relay = await startCanaryRelay({
    dovecot,
    username: 'relay-user',
    password: RELAY_PASSWORD,
    routes: {
      'inbox@example.test': { to: 'INBOX', delayMs: 1_500, authResults: RECEIVER_AUTH },
      'junk@example.test': { to: 'Junk', delayMs: 300, authResults: JUNK_AUTH },
      'drop@example.test': { to: 'drop' },
    },
    refusedSenders: ['refused@example.test'],
  });
  relaySpec = {
    name: 'loopback-relay',
    host: '127.0.0.1',
    port: relay.port,
    secure: 'none',
    username: 'relay-user',
    passwordEnv: 'MXPROBE_CANARY_RELAY',
  };
}, 30_000);

afterAll(async () => {
  await relay?.close();
  await dovecot?.stop();
});

function canary(name: string, to: string, overrides: Partial<CanarySpec> = {}): CanarySpec {
  return {
    name,
    relay: 'loopback-relay',
    from: 'canary@example.test',
    to,
    imap: {
      host: '127.0.0.1',
      port: dovecot.port,
      secure: 'none',
      username: to,
      passwordEnv: 'MXPROBE_CANARY_IMAP',
    },
    timeoutMs: 20_000,
    intervalMs: 15 * 60_000,
    ...overrides,
  };
}

const progress: number[] = [];
function options(imapPassword = IMAP_PASSWORD): CanaryRunOptions {
  return {
    connectTimeoutMs: 2_000,
    greetingTimeoutMs: 5_000,
    pollMs: 250,
    onProgress: (ms) => progress.push(ms),
    readImapSecret: () => Promise.resolve(imapPassword),
    readRelaySecret: () => Promise.resolve(RELAY_PASSWORD),
  };
}

/** The user's messages are the ones from before, with their flags and text unchanged. */
function expectUntouched(user: string): void {
  const was = before.get(user) ?? [];
  expect(was.length).toBe(OTHER_MESSAGES.length);
  const now = dovecot.messages(user);
  const key = (m: StoredMessage): string => `${m.folder}/${m.id}:${m.flags}`;
  expect(now.map(key).sort()).toEqual(was.map(key).sort());
  for (const m of was) expect(now.find((n) => key(n) === key(m))?.raw).toBe(m.raw);
}

const reports: CanaryReport[] = [];

describe('the canary against Dovecot and a delivering relay', () => {
  it('delivered: found in INBOX, seconds from acceptance measured, receiver verdicts read, then deleted', async () => {
    const report = await runCanary(canary('ops-inbox', 'inbox@example.test'), relaySpec, options());
    reports.push(report);
    expect(report).toMatchObject({ status: 'delivered', folder: 'INBOX', relay: 'loopback-relay' });
    expect(report.auth).toEqual({ spf: 'pass', dkim: 'none', dmarc: 'fail' });
    // The relay delivers 1.5 s after accepting: the canary saw it then, not at a poll long after.
    expect(report.seconds).toBeGreaterThanOrEqual(1.3);
    expect(report.seconds).toBeLessThan(10);
    expect(report.reply).toMatch(/^250 .*queued as CANARY1/);
    expect(progress.length).toBeGreaterThan(0);
    expectUntouched('inbox@example.test');
  });

  it('spam: the receiving side filed it into the folder flagged \\Junk', async () => {
    const report = await runCanary(canary('ops-junk', 'junk@example.test'), relaySpec, options());
    reports.push(report);
    expect(report).toMatchObject({ status: 'spam', folder: 'Junk' });
    expect(report.auth).toEqual({ spf: 'softfail', dkim: 'fail', dmarc: 'fail' });
    expect(report.seconds).toBeLessThan(10);
    expectUntouched('junk@example.test');
  });

  it('lost: the relay accepted it and it never arrived within the timeout', async () => {
    const accepted = relay.accepted.length;
    const started = Date.now();
    const spec = canary('ops-drop', 'drop@example.test', { timeoutMs: 5_000 });
    const report = await runCanary(spec, relaySpec, options());
    reports.push(report);
    expect(report).toMatchObject({ status: 'lost', seconds: null, folder: null, auth: null });
    expect(relay.accepted.length).toBe(accepted + 1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(5_000);
    expectUntouched('drop@example.test');
  });

  it('send-failed: the relay refused the sender, and its reply is quoted', async () => {
    const accepted = relay.accepted.length;
    const spec = canary('ops-refused', 'inbox@example.test', { from: 'refused@example.test' });
    const report = await runCanary(spec, relaySpec, options());
    reports.push(report);
    expect(report.status).toBe('send-failed');
    expect(report.reply).toContain(REFUSAL);
    expect(relay.accepted.length).toBe(accepted);
    expectUntouched('inbox@example.test');
  });

  it('imap-failed: a wrong IMAP password; nothing is sent', async () => {
    const accepted = relay.accepted.length;
    const spec = canary('ops-badlogin', 'inbox@example.test');
    const report = await runCanary(spec, relaySpec, options('wrong-password'));
    reports.push(report);
    expect(report.status).toBe('imap-failed');
    expect(report.reply).toMatch(/IMAP login failed: .*Authentication failed/i);
    expect(relay.accepted.length).toBe(accepted);
  });

  it("a canary message an earlier run gave up on is deleted by the next run, other canaries' are not", async () => {
    const late = mail(
      'mxprobe canary ops-inbox/1/deadbeef',
      'X-Mxprobe-Canary: canary=ops-inbox; token=ops-inbox/1/deadbeef',
    );
    const id = dovecot.deliver('inbox@example.test', 'INBOX', late);
    const report = await runCanary(canary('ops-inbox', 'inbox@example.test'), relaySpec, options());
    expect(report.status).toBe('delivered');
    expect(dovecot.messages('inbox@example.test').some((m) => m.id === id)).toBe(false);
    expectUntouched('inbox@example.test');
  });

  it('every status became its metric and hint, and the Delivery section says each', () => {
    expect(reports.map((r) => r.status)).toEqual([
      'delivered',
      'spam',
      'lost',
      'send-failed',
      'imap-failed',
    ]);
    const series = canarySeries(reports);
    const up = series.status
      .filter((s) => s.value === 1)
      .map((s) => `${s.labels.canary}=${s.labels.status}`);
    expect(up).toEqual([
      'ops-inbox=delivered',
      'ops-junk=spam',
      'ops-drop=lost',
      'ops-refused=send-failed',
      'ops-badlogin=imap-failed',
    ]);
    expect(series.deliverySeconds.map((s) => s.labels.canary)).toEqual(['ops-inbox', 'ops-junk']);
    expect(canaryHints(reports)).toEqual(['canary-lost', 'canary-spam']);
    const lines = deliveryLines(reports).join('\n');
    expect(lines).toMatch(
      /ops-inbox via loopback-relay: delivered to INBOX in \d+\.\d s \(spf pass, dkim none, dmarc fail\)/,
    );
    expect(lines).toMatch(/ops-junk via loopback-relay: filed as SPAM in Junk/);
    expect(lines).toMatch(/ops-drop via loopback-relay: LOST/);
    expect(lines).toContain(
      `ops-refused via loopback-relay: NOT SENT: the relay refused it: ${REFUSAL}`,
    );
    expect(lines).toMatch(
      /ops-badlogin via loopback-relay: UNKNOWN: the mailbox could not be read: IMAP login failed/,
    );
    console.log(deliveryLines(reports).join('\n'));
  });

  it('neither password appears in any report', () => {
    expect(reports.length).toBe(5);
    const text = JSON.stringify(reports) + deliveryLines(reports).join('\n');
    for (const secret of [IMAP_PASSWORD, RELAY_PASSWORD, 'wrong-password'])
      expect(text.includes(secret), secret).toBe(false);
  });
});

describe('probe --once with canaries (the built command)', () => {
  it('waits for each canary: canaries[] in --json, the Delivery section and hints in words, no password anywhere', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mxprobe-canary-cli-'));
    try {
      const config = join(dir, 'mxprobe.yaml');
      const imap = (user: string): string =>
        `{ host: 127.0.0.1, port: ${dovecot.port}, secure: none, username: ${user}, passwordEnv: MXPROBE_CANARY_IMAP }`;
      writeFileSync(
        config,
        [
          'connectTimeout: 1s',
          'targets:',
          `  - host: 127.0.0.1`,
          `    ports: [${relay.port}]`,
          'relays:',
          `  - { name: loopback-relay, host: 127.0.0.1, port: ${relay.port}, secure: none, username: relay-user, passwordEnv: MXPROBE_CANARY_RELAY }`,
          'canaries:',
          `  - { name: cli-inbox, relay: loopback-relay, from: canary@example.test, to: inbox@example.test, imap: ${imap('inbox@example.test')}, timeout: 10s }`,
          `  - { name: cli-drop, relay: loopback-relay, from: canary@example.test, to: drop@example.test, imap: ${imap('drop@example.test')}, timeout: 5s }`,
          '',
        ].join('\n'),
      );
      const env = { MXPROBE_CANARY_IMAP: IMAP_PASSWORD, MXPROBE_CANARY_RELAY: RELAY_PASSWORD };
      const args = [
        'probe',
        '--once',
        '--no-cloud-detection',
        '--dnsbl',
        'none',
        '--config',
        config,
      ];
      const json = await mxprobe([...args, '--json'], env);
      const report = JSON.parse(json.stdout) as Report;
      expect(report.canaries?.map((c) => [c.name, c.status])).toEqual([
        ['cli-inbox', 'delivered'],
        ['cli-drop', 'lost'],
      ]);
      expect(report.diagnosis.hints).toContain('canary-lost');
      // The lost canary was waited for up to its timeout.
      expect(json.ms).toBeGreaterThanOrEqual(5_000);
      const human = await mxprobe(args, env);
      expect(human.stdout).toMatch(
        /Delivery\n {2}cli-inbox via loopback-relay: delivered to INBOX in \d+\.\d s/,
      );
      expect(human.stdout).toContain('cli-drop via loopback-relay: LOST');
      for (const out of [json.stdout, json.stderr, human.stdout, human.stderr])
        for (const secret of [IMAP_PASSWORD, RELAY_PASSWORD])
          expect(out.includes(secret)).toBe(false);
      expectUntouched('inbox@example.test');
      expectUntouched('drop@example.test');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
