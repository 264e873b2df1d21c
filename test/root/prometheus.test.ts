// A real Prometheus server scrapes the real daemon on loopback and evaluates the shipped rules:
// port 25 refused while 587 greets must read as mxprobe_diagnosis{code="port25-blocked"} == 1
// through Prometheus' own HTTP API, and a host that leaves the MX set must leave Prometheus too.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, freePort, spawnDaemon, type DaemonProcess } from '../helpers/daemon-process.js';
import { startDnsServer, type DnsServer } from '../../lab/dns-server.js';
import { eventually, startPrometheus, type PrometheusServer } from '../helpers/prometheus.js';
import { realSmtpServer, type Loopback } from '../helpers/loopback-servers.js';

const RULES = join(import.meta.dirname, '../../deploy/prometheus/rules.yml');
// Loopback addresses of their own, so no other test's listeners are in the way. Port 25 on
// both stays closed (refused: blocked); 587 on the first one greets.
const MX1 = '127.0.0.61';
const MX2 = '127.0.0.62';

const dir = mkdtempSync(join(tmpdir(), 'mxprobe-prometheus-'));
let dns: DnsServer;
let submission: Loopback;
let daemon: DaemonProcess;
let prometheus: PrometheusServer | undefined;
let daemonBase: string;

beforeAll(async () => {
  dns = await startDnsServer({
    mx: { 'mail.test': ['mx1.mail.test', 'mx2.mail.test'] },
    a: { 'mx1.mail.test': [MX1], 'mx2.mail.test': [MX2] },
  });
  submission = await realSmtpServer({ host: MX1, port: 587 }).catch((error: unknown) => {
    throw new Error(`cannot listen on ${MX1}:587 (this test needs root to bind port 587)`, {
      cause: error,
    });
  });

  const daemonPort = await freePort();
  daemonBase = `http://127.0.0.1:${daemonPort}`;
  const config = join(dir, 'mxprobe.yaml');
  writeFileSync(
    config,
    [
      'interval: 1s',
      `listen: "127.0.0.1:${daemonPort}"`,
      'connectTimeout: 1s',
      'greetingTimeout: 5s',
      `dnsServers: ["${dns.address}"]`,
      'targets:',
      '  - domain: mail.test',
      '    ports: [25]',
      `  - host: ${MX1}`,
      '    ports: [587]',
      '',
    ].join('\n'),
  );
  daemon = spawnDaemon(['--config', config, '--min-interval', '1s', '--family', '4']);
  await daemon.waitFor((e) => e.msg === 'probe cycle finished');

  prometheus = await startPrometheus(
    dir,
    [
      'global: { scrape_interval: 1s, evaluation_interval: 1s }',
      `rule_files: ["${RULES}"]`,
      'scrape_configs:',
      '  - job_name: mxprobe',
      // A VM expected to deliver directly: it opts in to MxprobePort25Blocked.
      `    static_configs: [{ targets: ["127.0.0.1:${daemonPort}"], labels: { mxprobe_expect_port25: open } }]`,
      '',
    ].join('\n'),
  );
}, 60_000);

afterAll(async () => {
  await Promise.all([daemon?.stop(), prometheus?.stop()]);
  await Promise.all([submission?.close(), dns?.close()]);
});

describe('Prometheus scraping the daemon', () => {
  it('sees port 25 blocked: mxprobe_diagnosis{code="port25-blocked"} == 1', async () => {
    const result = await eventually(
      () => prometheus!.query('mxprobe_diagnosis{code="port25-blocked"} == 1'),
      (r) => r.length === 1,
    );
    expect(result[0]!.metric).toMatchObject({
      job: 'mxprobe',
      instance: daemonBase.replace('http://', ''),
      code: 'port25-blocked',
    });
    expect(await prometheus!.query('up{job="mxprobe"}')).toMatchObject([
      { value: [expect.any(Number), '1'] },
    ]);
    const port25 = await prometheus!.query('mxprobe_port_status{port="25"} == 1');
    expect(port25.map((s) => s.metric.status)).toEqual(['blocked']);
  });

  it('evaluates the shipped rules on it: the opted-in port-25 alert is pending', async () => {
    const alerts = await eventually(
      async () =>
        (
          (await (await fetch(`${prometheus!.base}/api/v1/alerts`)).json()) as {
            data: { alerts: { labels: Record<string, string>; state: string }[] };
          }
        ).data.alerts,
      (list) => list.some((a) => a.labels.alertname === 'MxprobePort25Blocked'),
    );
    expect(
      alerts.filter((a) => a.labels.alertname === 'MxprobePort25Blocked').map((a) => a.state),
    ).toEqual(['pending']);
    expect(alerts.map((a) => a.labels.alertname)).not.toContain('MxprobeStale');
  });

  it('serves an exposition that promtool check metrics accepts', async () => {
    const body = await (await fetch(`${daemonBase}/metrics`)).text();
    const check = spawnSync('promtool', ['check', 'metrics'], { input: body, encoding: 'utf8' });
    expect(check.error).toBeUndefined();
    expect({ status: check.status, output: check.stdout + check.stderr }).toEqual({
      status: 0,
      output: '',
    });
  });

  it('forgets the series of a host that left the MX set', async () => {
    const mx2 = 'mxprobe_probe_result{host="mx2.mail.test",result="blocked"} == 1';
    expect(
      await eventually(
        () => prometheus!.query(mx2),
        (r) => r.length === 1,
      ),
    ).toHaveLength(1);
    dns.zone = { ...dns.zone, mx: { 'mail.test': ['mx1.mail.test'] } };
    await eventually(
      () => prometheus!.query(mx2),
      (r) => r.length === 0,
    );
    expect(
      await prometheus!.query('mxprobe_probe_result{host="mx1.mail.test",result="blocked"} == 1'),
    ).toHaveLength(1);
    expect(await prometheus!.query('mxprobe_diagnosis{code="port25-blocked"} == 1')).toHaveLength(
      1,
    );
  });
});

describe('probe --once --textfile for cron and node_exporter', () => {
  it('writes the same metrics to the file, which promtool check metrics accepts', async () => {
    const path = join(dir, 'mxprobe.prom');
    // Spawned asynchronously: the SMTP server it probes lives in this very process.
    const child = spawn(
      process.execPath,
      [
        BIN,
        'probe',
        '--once',
        '--no-cloud-detection',
        '--host',
        MX1,
        '--ports',
        '25,587',
        '--textfile',
        path,
      ],
      {
        stdio: 'ignore',
      },
    );
    const status = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    const body = readFileSync(path, 'utf8');
    expect(status).toBe(1);
    expect(body).toContain('mxprobe_diagnosis{code="port25-blocked"} 1');
    expect(body).toContain(
      `mxprobe_probe_result{target="${MX1}",host="${MX1}",address="${MX1}",port="25",result="blocked"} 1`,
    );
    expect(body).not.toMatch(/^process_/m);
    expect(readdirSync(dir).filter((name) => name.includes('.tmp'))).toEqual([]);
    const check = spawnSync('promtool', ['check', 'metrics'], { input: body, encoding: 'utf8' });
    expect({ status: check.status, output: check.stdout + check.stderr }).toEqual({
      status: 0,
      output: '',
    });
  });
});
