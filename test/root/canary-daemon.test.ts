// The canary on its own schedule at a short test interval, against the loopback Dovecot and
// relay: mxprobe_canary_delivery_seconds moves with the receiver's delay, then the relay starts
// dropping the canary and the status turns lost. The series recorded scrape by scrape are fed
// to promtool with deploy/prometheus/canary-rules.yml: MxprobeCanaryLost fires on them, and
// not before the canary was lost.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCanary } from '../../src/canary/run.js';
import { scheduleCanaries, type ScheduledCanary } from '../../src/canary/schedule.js';
import { canarySeries } from '../../src/report/canary-series.js';
import type { Labels } from '../../src/report/series.js';
import { startCanaryRelay, type CanaryRelay, type CanaryRoute } from '../helpers/canary-relay.js';
import { startDovecot, type Dovecot } from '../helpers/dovecot.js';

const USER = 'ops@example.test';
const PASSWORD = 'Imap-Pa55word!daemon';
const RULES = join(import.meta.dirname, '../../deploy/prometheus/canary-rules.yml');
const SCRAPE_MS = 250;
const LOST_SUMMARY = 'Canary ops-inbox from lab:9725 was accepted and never arrived';
const LOST_DESCRIPTION =
  "The relay accepted the canary message of ops-inbox from lab:9725, and it was not in the mailbox's inbox or junk folder within the canary's timeout: mail sent this way is lost. Look the message up in the relay's activity log (its subject starts with \"mxprobe canary\"); GET /status on the instance has canaries[] with the relay's reply.";

let dovecot: Dovecot;
let relay: CanaryRelay;
const route: CanaryRoute = {
  to: 'INBOX',
  delayMs: 200,
  authResults: 'mx.example.test; spf=pass; dkim=pass; dmarc=pass',
};
const dir = mkdtempSync(join(tmpdir(), 'mxprobe-canary-daemon-'));

beforeAll(async () => {
  dovecot = await startDovecot([{ user: USER, password: PASSWORD }]);
  relay = await startCanaryRelay({
    dovecot,
    username: 'relay-user',
    password: 'relay-pass',
    routes: { [USER]: route },
    refusedSenders: [],
  });
}, 30_000);

afterAll(async () => {
  await relay?.close();
  await dovecot?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** One scrape: every canary series, as "name{labels}" → value. */
function scrape(reports: Parameters<typeof canarySeries>[0]): Map<string, number> {
  const series = canarySeries(reports);
  const out = new Map<string, number>();
  const add = (name: string, samples: { labels: Labels; value: number }[]): void => {
    for (const s of samples) out.set(`${name}${selector(s.labels)}`, s.value);
  };
  add('mxprobe_canary_status', series.status);
  add('mxprobe_canary_delivery_seconds', series.deliverySeconds);
  add('mxprobe_canary_auth_result', series.authResult);
  return out;
}

function selector(labels: Labels): string {
  const all = { job: 'mxprobe', instance: 'lab:9725', ...labels };
  return `{${Object.entries(all)
    .map(([k, v]) => `${k}="${v}"`)
    .join(',')}}`;
}

it('delivery seconds move, then lost: MxprobeCanaryLost fires in promtool on the recorded series', async () => {
  const canary: ScheduledCanary = {
    spec: {
      name: 'ops-inbox',
      relay: 'loopback',
      from: 'canary@example.test',
      to: USER,
      imap: {
        host: '127.0.0.1',
        port: dovecot.port,
        secure: 'none',
        username: USER,
        passwordEnv: 'X',
      },
      timeoutMs: 5_000,
      intervalMs: 1_000,
    },
    relay: {
      name: 'loopback',
      host: '127.0.0.1',
      port: relay.port,
      secure: 'none',
      username: 'relay-user',
      passwordEnv: 'Y',
    },
  };
  let runs = 0;
  const schedule = scheduleCanaries([canary], (c, signal) => {
    runs += 1;
    // The receiver is slower on every run; from the fourth run on the relay drops the canary.
    route.delayMs = 200 + 500 * runs;
    if (runs >= 4) route.to = 'drop';
    return runCanary(c.spec, c.relay, {
      connectTimeoutMs: 2_000,
      greetingTimeoutMs: 5_000,
      pollMs: 250,
      signal,
      readImapSecret: () => Promise.resolve(PASSWORD),
      readRelaySecret: () => Promise.resolve('relay-pass'),
    });
  });
  const scrapes: Map<string, number>[] = [];
  const lostAt = (): number =>
    scrapes.findIndex(
      (s) =>
        s.get(`mxprobe_canary_status${selector({ canary: 'ops-inbox', status: 'lost' })}`) === 1,
    );
  try {
    // Until the canary has been lost for 8 scrapes, or 40 s at most.
    for (let i = 0; i < 160 && (lostAt() < 0 || scrapes.length - lostAt() < 8); i += 1) {
      await new Promise((r) => setTimeout(r, SCRAPE_MS));
      scrapes.push(scrape(schedule.latest()));
    }
  } finally {
    await schedule.stop();
  }

  const deliveryKey = `mxprobe_canary_delivery_seconds${selector({ canary: 'ops-inbox' })}`;
  const seconds = [...new Set(scrapes.flatMap((s) => s.get(deliveryKey) ?? []))];
  console.log(
    `delivery seconds seen: ${seconds.join(', ')}; lost from scrape ${lostAt()} of ${scrapes.length}`,
  );
  expect(seconds.length).toBeGreaterThanOrEqual(2);
  // The receiver's delay grew by 0.5 s a run: so did the measured time.
  expect(Math.max(...seconds) - Math.min(...seconds)).toBeGreaterThanOrEqual(0.4);
  const first = lostAt();
  expect(first).toBeGreaterThan(0);

  // Each scrape is one minute of promtool time: the rule's `for: 1m` holds over two scrapes.
  const names = [...new Set(scrapes.flatMap((s) => [...s.keys()]))];
  const inputSeries = [
    `      - series: 'mxprobe_environment_info{job="mxprobe",instance="lab:9725",cloud="none"}'`,
    `        values: '1x${scrapes.length}'`,
    ...names.flatMap((name) => [
      `      - series: '${name}'`,
      `        values: '${scrapes.map((s) => (s.has(name) ? String(s.get(name)) : '_')).join(' ')}'`,
    ]),
  ];
  const test = [
    `rule_files: ['${RULES}']`,
    'evaluation_interval: 1m',
    'tests:',
    '  - interval: 1m',
    '    input_series:',
    ...inputSeries,
    '    alert_rule_test:',
    `      - eval_time: ${first - 1}m`,
    '        alertname: MxprobeCanaryLost',
    '        exp_alerts: []',
    `      - eval_time: ${first + 2}m`,
    '        alertname: MxprobeCanaryLost',
    '        exp_alerts:',
    '          - exp_labels: { severity: critical, job: mxprobe, instance: "lab:9725", canary: ops-inbox, status: lost, cloud: none }',
    `            exp_annotations: { runbook_url: 'docs/runbook.md#mxprobecanarylost', summary: ${JSON.stringify(LOST_SUMMARY)}, description: ${JSON.stringify(LOST_DESCRIPTION)} }`,
    '',
  ].join('\n');
  const file = join(dir, 'lab-series.test.yml');
  writeFileSync(file, test);
  const run = spawnSync('promtool', ['test', 'rules', file], { encoding: 'utf8' });
  expect(run.stdout + run.stderr).toContain('SUCCESS');
  expect(run.status).toBe(0);
  expect(dovecot.messages(USER)).toEqual([]);
});
