// The built daemon as systemd runs it: configured by a file, reloaded by a real SIGHUP, stopped
// by a real SIGTERM, probing real loopback sockets (docs/reference.md, "Config file" and "Signals").
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, spawnDaemon, type DaemonProcess } from '../helpers/daemon-process.js';
import {
  closedPort,
  realSmtpServer,
  scriptedServer,
  type Loopback,
} from '../helpers/loopback-servers.js';

const dir = mkdtempSync(join(tmpdir(), 'mxprobe-daemon-'));
let smtp: Loopback;
let silent: Loopback;
let closed: number;

beforeAll(async () => {
  smtp = await realSmtpServer();
  silent = await scriptedServer(() => undefined);
  closed = await closedPort();
});
afterAll(async () => {
  await Promise.all([smtp.close(), silent.close()]);
});

function writeConfig(file: string, listen: string, ports: number[], extra = ''): void {
  writeFileSync(
    file,
    `interval: 1s\nlisten: "${listen}"\nconnectTimeout: 1s\ngreetingTimeout: 10s\n${extra}targets:\n  - host: 127.0.0.1\n    ports: [${ports.join(', ')}]\n`,
  );
}

const cycleFinished = (e: Record<string, unknown>) => e.msg === 'probe cycle finished';

describe('reloading with SIGHUP', () => {
  let daemon: DaemonProcess;
  let base: string;
  const file = join(dir, 'reload.yaml');

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    writeConfig(file, `127.0.0.1:${port}`, [smtp.port, closed]);
    daemon = spawnDaemon(['--config', file, '--min-interval', '1s']);
    await daemon.waitFor(cycleFinished);
  });
  afterAll(async () => {
    await daemon.stop();
  });

  it('a good config takes effect at the next cycle, and the dropped port leaves /metrics', async () => {
    expect(await (await fetch(`${base}/metrics`)).text()).toContain(
      `mxprobe_port_status{port="${closed}",status="blocked"} 1`,
    );
    writeConfig(file, base.replace('http://', ''), [smtp.port]);
    const from = daemon.logs.length;
    daemon.child.kill('SIGHUP');
    await daemon.waitFor((e) => e.msg === 'config reloaded', { from });
    const next = await daemon.waitFor(cycleFinished, { from });
    expect(next.ports).toEqual({ [String(smtp.port)]: 'open' });
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain('mxprobe_diagnosis{code="ok"} 1');
    // The counter of attempts made since start keeps them; every current-state series is gone.
    const current = metrics
      .split('\n')
      .filter((l) => /^mxprobe_(port_status|probe_result|probe_duration_seconds)\{/.test(l));
    expect(current.length).toBeGreaterThan(0);
    expect(current.filter((l) => l.includes(`port="${closed}"`))).toEqual([]);
  });

  it('a bad config is logged with its file and field, and the running config stays', async () => {
    writeFileSync(file, 'interval: soon\ntargets: []\n');
    const from = daemon.logs.length;
    daemon.child.kill('SIGHUP');
    const failure = await daemon.waitFor((e) => e.level === 'error', { from });
    expect(failure.msg).toBe('config reload failed; the running config stays in force');
    expect(String(failure.error)).toContain(file);
    expect(String(failure.error)).toContain('interval');
    const next = await daemon.waitFor(cycleFinished, { from: daemon.logs.indexOf(failure) });
    expect(next.ports).toEqual({ [String(smtp.port)]: 'open' });
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });
});

describe('stopping', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)(
    '%s in the middle of a cycle: exit 0 within 5 s',
    async (signal) => {
      const port = await freePort();
      const file = join(dir, `stop-${signal}.yaml`);
      // A server that accepts and never greets holds the cycle for the 10 s greeting timeout.
      writeConfig(file, `127.0.0.1:${port}`, [silent.port]);
      const daemon = spawnDaemon(['--config', file, '--min-interval', '1s']);
      await daemon.waitFor((e) => e.msg === 'mxprobe daemon started');
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(daemon.logs.some(cycleFinished)).toBe(false);
      const { code, ms } = await daemon.stop(signal);
      process.stderr.write(`${signal} exit took ${ms} ms\n`);
      expect(code).toBe(0);
      expect(ms).toBeLessThan(5_000);
      expect(daemon.logs.at(-1)).toMatchObject({ msg: 'mxprobe daemon stopped' });
    },
  );
});

describe('series per VM with metrics.runtime: false', () => {
  it('serves only mxprobe series, as many as docs/fleet.md counts: 5 per attempt, 5 per port, K, 23', async () => {
    const port = await freePort();
    const file = join(dir, 'series.yaml');
    // Loopback: no egress address (so no egress series), plain ports (no certificate).
    writeConfig(
      file,
      `127.0.0.1:${port}`,
      [smtp.port, closed, silent.port],
      'metrics:\n  runtime: false\n',
    );
    const daemon = spawnDaemon(['--config', file, '--min-interval', '1s']);
    try {
      await daemon.waitFor(cycleFinished);
      const body = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      const series = body.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
      expect(series.filter((line) => !line.startsWith('mxprobe_'))).toEqual([]);
      const attempts = 3;
      const ports = 3;
      // mxprobe_probes_total: one series per (port, result, reason) seen since start.
      const counters = series.filter((line) => line.startsWith('mxprobe_probes_total{')).length;
      expect(series).toHaveLength(5 * attempts + 5 * ports + counters + 23);
    } finally {
      await daemon.stop();
    }
  });
});

describe('--web.listen-address with a host name', () => {
  it('localhost:PORT is served on the IPv4 loopback, as exporters do, without asking DNS', async () => {
    const port = await freePort();
    const daemon = spawnDaemon([
      '--host',
      '127.0.0.1',
      '--ports',
      String(closed),
      '--web.listen-address',
      `localhost:${port}`,
    ]);
    try {
      const started = await daemon.waitFor((e) => e.msg === 'mxprobe daemon started');
      expect(started.listen).toBe(`127.0.0.1:${port}`);
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBeLessThan(600);
    } finally {
      await daemon.stop();
    }
  });
});
