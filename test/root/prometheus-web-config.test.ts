// A real Prometheus scrapes the real daemon behind its web config, as a fleet would set it up:
// HTTPS with a certificate of the fleet's CA and basic auth. The job with the right password is
// up; one with a wrong password is down with Prometheus' own "401 Unauthorized"; one that does
// not trust the CA is down too.
import { hashSync } from 'bcryptjs';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, spawnDaemon, type DaemonProcess } from '../helpers/daemon-process.js';
import { closedPort } from '../helpers/loopback-servers.js';
import { eventually, startPrometheus, type PrometheusServer } from '../helpers/prometheus.js';
import { makeTestPki, type TestPki } from '../helpers/test-pki.js';

const dir = mkdtempSync(join(tmpdir(), 'mxprobe-prometheus-tls-'));
let pki: TestPki;
let daemon: DaemonProcess;
let prometheus: PrometheusServer | undefined;
let target: string;

interface Target {
  labels: { job: string };
  health: string;
  lastError: string;
  scrapeUrl: string;
}

async function targets(): Promise<Target[]> {
  const response = await fetch(`${prometheus!.base}/api/v1/targets`);
  return ((await response.json()) as { data: { activeTargets: Target[] } }).data.activeTargets;
}

beforeAll(async () => {
  pki = makeTestPki();
  const port = await freePort();
  target = `localhost:${port}`;
  const config = join(dir, 'mxprobe.yaml');
  const web = join(dir, 'web.yml');
  writeFileSync(config, `targets:\n  - host: 127.0.0.1\n    ports: [${await closedPort()}]\n`);
  writeFileSync(
    web,
    [
      'tls_server_config:',
      `  cert_file: ${pki.server.certFile}`,
      `  key_file: ${pki.server.keyFile}`,
      'basic_auth_users:',
      `  prometheus: "${hashSync('scrape-secret', 10)}"`,
      '',
    ].join('\n'),
  );
  daemon = spawnDaemon([
    '--config.file',
    config,
    '--web.config.file',
    web,
    '--web.listen-address',
    `127.0.0.1:${port}`,
    '--interval',
    '1m',
  ]);
  await daemon.waitFor((e) => e.msg === 'probe cycle finished');

  writeFileSync(join(dir, 'password'), 'scrape-secret');
  writeFileSync(join(dir, 'wrong'), 'guess');
  const job = (name: string, password: string, ca: string): string[] => [
    `  - job_name: ${name}`,
    '    scheme: https',
    `    tls_config: { ca_file: "${ca}" }`,
    `    basic_auth: { username: prometheus, password_file: "${join(dir, password)}" }`,
    `    static_configs: [{ targets: ["${target}"] }]`,
  ];
  prometheus = await startPrometheus(
    dir,
    [
      'global: { scrape_interval: 1s }',
      'scrape_configs:',
      ...job('mxprobe', 'password', pki.ca.certFile),
      ...job('wrong-password', 'wrong', pki.ca.certFile),
      ...job('untrusted', 'password', pki.stranger.certFile),
      '',
    ].join('\n'),
  );
}, 60_000);

afterAll(async () => {
  await Promise.all([daemon?.stop(), prometheus?.stop()]);
  pki?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

describe('Prometheus scraping over HTTPS with basic auth', () => {
  it('the job with the password and the CA is up; the others are down, each for its reason', async () => {
    const all = await eventually(
      targets,
      (list) => list.length === 3 && list.every((t) => t.health !== 'unknown'),
    );
    const byJob = Object.fromEntries(all.map((t) => [t.labels.job, t]));
    expect(byJob.mxprobe).toMatchObject({
      health: 'up',
      scrapeUrl: `https://${target}/metrics`,
      lastError: '',
    });
    expect(byJob['wrong-password']).toMatchObject({ health: 'down' });
    expect(byJob['wrong-password']!.lastError).toMatch(/401 Unauthorized/);
    expect(byJob.untrusted).toMatchObject({ health: 'down' });
    expect(byJob.untrusted!.lastError).toMatch(/certificate/);
  });

  it('stores what it scraped', async () => {
    const response = await fetch(
      `${prometheus!.base}/api/v1/query?query=${encodeURIComponent('mxprobe_build_info{job="mxprobe"}')}`,
    );
    const body = (await response.json()) as { data: { result: unknown[] } };
    expect(body.data.result).toHaveLength(1);
  });
});
