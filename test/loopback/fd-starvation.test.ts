// A machine short of file descriptors: a failure of this machine is not a verdict about the path
// (docs/reference.md, "Results and reasons": error/local, not counted), and the daemon's HTTP
// server cannot starve the prober however many idle connections clients leave open.
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/default-config.js';
import { dialSmtp, type Dial } from '../../src/probe/dial.js';
import { runPass } from '../../src/pass/run.js';
import { Metrics } from '../../src/report/metrics.js';
import { renderReport } from '../../src/report/render.js';
import type { Report } from '../../src/types.js';
import { freePort, spawnDaemon } from '../helpers/daemon-process.js';
import { closedPort, realSmtpServer, type Loopback } from '../helpers/loopback-servers.js';
import { mxprobe } from '../helpers/run-mxprobe.js';

const STARVE = ['--import', join(import.meta.dirname, '../helpers/starve-fds.mjs')];
const dir = mkdtempSync(join(tmpdir(), 'mxprobe-fds-'));
let smtp: Loopback;
let closed: number;

beforeAll(async () => {
  smtp = await realSmtpServer();
  closed = await closedPort();
});
afterAll(async () => {
  await smtp.close();
});

describe('probe --once out of file descriptors', () => {
  it('gives no verdict: one line naming EMFILE, exit 3, not egress-blocked', async () => {
    const run = await mxprobe(
      [
        'probe',
        '--once',
        '--no-cloud-detection',
        '--host',
        '127.0.0.1',
        '--ports',
        `${smtp.port},${closed}`,
      ],
      {},
      { nodeArgs: STARVE },
    );
    expect(run.code).toBe(3);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      `mxprobe: no verdict: 2 attempts failed on this machine (EMFILE: too many open files), leaving port ${smtp.port}, ${closed} without a result; nothing was learned about the path\n`,
    );
  });
});

describe('some attempts failing on this machine', () => {
  it('are error/local rows beside the others, counted nowhere, with their own series', async () => {
    // The real dialer, except that connections to one address hit EMFILE, as when another
    // process took the last descriptors in the middle of a pass.
    const dial: Dial = (request) =>
      request.address === '127.0.0.2'
        ? Promise.resolve({
            outcome: { kind: 'connect-error', code: 'EMFILE' },
            durationMs: 0,
            greeting: null,
            tls: null,
            starttls: undefined,
            errorCode: 'EMFILE',
            ehlo: undefined,
            localAddress: undefined,
            connectTries: 1,
            connections: 0,
          })
        : dialSmtp(request);
    const report = await runPass(
      {
        ...defaultConfig(),
        targets: [
          { kind: 'host', name: '127.0.0.1', ports: [smtp.port] },
          { kind: 'host', name: '127.0.0.2', ports: [smtp.port] },
        ],
        cloud: { ...defaultConfig().cloud, enabled: false },
      },
      { dial },
    );
    expect(report.attempts.map((a) => [a.address, a.result, a.reason, a.errorCode])).toEqual([
      ['127.0.0.1', 'reachable', 'greeting', undefined],
      ['127.0.0.2', 'error', 'local', 'EMFILE'],
    ]);
    expect(report.ports).toEqual([
      { port: smtp.port, status: 'open', reachable: 1, blocked: 0, filtered: 0 },
    ]);
    expect(report.diagnosis.code).toBe('ok');

    const human = renderReport(report, { color: false, width: 100 });
    expect(human).toMatch(new RegExp(`127\\.0\\.0\\.2\\s+${smtp.port}\\s+error\\s+local`));
    expect(human).toContain('1 not counted (local error)');
    expect(human).toContain(
      '1 attempt failed on this machine (EMFILE), not on the path: not counted.',
    );

    const metrics = new Metrics({ version: '0', nodejs: 'v20', processMetrics: false });
    metrics.record(report, new Date());
    const { body } = await metrics.render('prometheus');
    expect(body).toContain(
      `mxprobe_probe_result{target="127.0.0.2",host="127.0.0.2",address="127.0.0.2",port="${smtp.port}",result="error"} 1`,
    );
    expect(body).toContain(
      `mxprobe_probes_total{port="${smtp.port}",result="error",reason="local"} 1`,
    );
    expect(body).toContain(`mxprobe_port_status{port="${smtp.port}",status="open"} 1`);
  });
});

describe('the daemon under a file-descriptor budget, flooded with idle HTTP connections', () => {
  const FD_LIMIT = 128;
  const IDLE_CLIENTS = 400;

  it('keeps its verdicts and answers /status; its descriptors stay within the budget', async () => {
    const port = await freePort();
    const file = join(dir, 'starve.yaml');
    writeFileSync(
      file,
      `interval: 1s\nlisten: "127.0.0.1:${port}"\nconnectTimeout: 1s\ngreetingTimeout: 2s\ntargets:\n  - host: 127.0.0.1\n    ports: [${smtp.port}, ${closed}]\n`,
    );
    const daemon = spawnDaemon(['--config', file, '--min-interval', '1s'], { fdLimit: FD_LIMIT });
    const idle: Socket[] = [];
    try {
      const first = await daemon.waitFor((e) => e.msg === 'probe cycle finished');
      const verdict = { ports: first.ports, diagnosis: first.diagnosis };
      expect(verdict.ports).toEqual({ [smtp.port]: 'open', [closed]: 'blocked' });

      for (let i = 0; i < IDLE_CLIENTS; i += 1) {
        const socket = connect(port, '127.0.0.1');
        socket.on('error', () => undefined);
        idle.push(socket);
      }
      const from = daemon.logs.length;
      let seen = daemon.logs.indexOf(first);
      for (let cycle = 0; cycle < 3; cycle += 1) {
        const next = await daemon.waitFor((e) => e.msg === 'probe cycle finished', {
          from: seen + 1,
        });
        seen = daemon.logs.indexOf(next);
        expect({ ports: next.ports, diagnosis: next.diagnosis }).toEqual(verdict);
        expect(next.error).toBe(0);
        const status = await fetch(`http://127.0.0.1:${port}/status`);
        expect(status.status).toBe(200);
        const report = (await status.json()) as Report;
        expect(report.attempts.map((a) => a.result).sort()).toEqual(['blocked', 'reachable']);
        const fds = readdirSync(`/proc/${daemon.child.pid}/fd`).length;
        expect(fds).toBeLessThan(FD_LIMIT);
      }
      expect(daemon.logs.slice(from).filter((e) => e.level === 'error')).toEqual([]);
    } finally {
      idle.forEach((s) => s.destroy());
      await daemon.stop();
    }
  });
});
