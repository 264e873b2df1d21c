// `mxprobe` as a user runs it: the built executable against loopback servers, its stdout,
// stderr and exit status (docs/reference.md, "Command line" and "The JSON report").
import { execFileSync } from 'node:child_process';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/types.js';
import { mxprobe } from '../helpers/run-mxprobe.js';
import {
  closedPort,
  realSmtpServer,
  scriptedServer,
  type Loopback,
} from '../helpers/loopback-servers.js';

let smtp: Loopback;
let rejecting: Loopback;
let closed: number;
let silentDns: UdpSocket;
let silentDnsPort: number;
const dir = mkdtempSync(join(tmpdir(), 'mxprobe-cli-'));
/** A plain file, to put a path under. */
function badConfig(): string {
  const file = join(dir, 'a-file');
  writeFileSync(file, 'not a directory\n');
  return file;
}

beforeAll(async () => {
  smtp = await realSmtpServer();
  rejecting = await scriptedServer((c) => c.write('554 no service\r\n'));
  closed = await closedPort();
  silentDns = createSocket('udp4');
  await new Promise<void>((r) => silentDns.bind(0, '127.0.0.1', r));
  silentDnsPort = silentDns.address().port;
});
afterAll(async () => {
  await Promise.all([smtp.close(), rejecting.close()]);
  silentDns.close();
});

/** `mxprobe probe --once --json --host 127.0.0.1 --ports PORTS`, its report parsed. */
async function probeLoopback(ports: number[]): Promise<{ code: number | null; report: Report }> {
  const run = await mxprobe([
    'probe',
    '--once',
    '--json',
    '--host',
    '127.0.0.1',
    '--ports',
    ports.join(','),
  ]);
  return { code: run.code, report: JSON.parse(run.stdout) as Report };
}

describe('probe --once --json on loopback', () => {
  it('every port reachable: diagnosis ok, exit 0, exactly the contract document on stdout', async () => {
    const { code, report } = await probeLoopback([smtp.port]);
    expect(code).toBe(0);
    expect(Object.keys(report)).toEqual([
      'schemaVersion',
      'startedAt',
      'durationMs',
      'environment',
      'targets',
      'attempts',
      'ports',
      'relays',
      'egress',
      'diagnosis',
    ]);
    expect(report.schemaVersion).toBe(1);
    expect(report.environment).toMatchObject({ cloud: 'none', families: { '4': 'ok' } });
    expect(report.targets).toEqual([
      expect.objectContaining({
        target: '127.0.0.1',
        kind: 'host',
        resolution: 'ok',
        hosts: ['127.0.0.1'],
        ports: [smtp.port],
      }),
    ]);
    expect(report.attempts).toEqual([
      expect.objectContaining({
        target: '127.0.0.1',
        host: '127.0.0.1',
        address: '127.0.0.1',
        family: 4,
        port: smtp.port,
        result: 'reachable',
        reason: 'greeting',
        tls: null,
      }),
    ]);
    expect(report.attempts[0]?.greeting).toMatch(/^220 /);
    expect(report.ports).toEqual([
      { port: smtp.port, status: 'open', reachable: 1, blocked: 0, filtered: 0 },
    ]);
    expect(report.diagnosis).toMatchObject({ code: 'ok', hints: [] });
    // Only loopback was reached: no address to judge, so nothing was looked up.
    expect(report.egress).toEqual({ addresses: [] });
  });

  it('a refused and a rejecting port: blocked/refused and blocked/rejected, exit 1', async () => {
    const { code, report } = await probeLoopback([smtp.port, closed, rejecting.port]);
    expect(code).toBe(1);
    const byPort = Object.fromEntries(
      report.attempts.map((a) => [a.port, `${a.result}/${a.reason}`]),
    );
    expect(byPort).toEqual({
      [smtp.port]: 'reachable/greeting',
      [closed]: 'blocked/refused',
      [rejecting.port]: 'blocked/rejected',
    });
    expect(report.ports.map((p) => p.status)).toEqual(['open', 'blocked', 'blocked']);
    expect(report.diagnosis.code).toBe('partial');
  });

  it('a DNS server that never answers: dns-failed, exit 3, within about 5 s', async () => {
    const run = await mxprobe([
      'probe',
      '--once',
      '--json',
      '--domain',
      'mail.example',
      '--dns-server',
      `127.0.0.1:${silentDnsPort}`,
    ]);
    expect(run.code).toBe(3);
    const report = JSON.parse(run.stdout) as Report;
    expect(report.targets[0]).toMatchObject({ target: 'mail.example', resolution: 'timeout' });
    expect(report.attempts).toEqual([]);
    expect(report.ports.every((p) => p.status === 'unknown')).toBe(true);
    expect(report.diagnosis.code).toBe('dns-failed');
    expect(run.ms).toBeLessThan(6_000);
  });
});

describe('probe --once, the human table', () => {
  it('shows one row per attempt, port statuses and the diagnosis; no colour off a TTY', async () => {
    const run = await mxprobe([
      'probe',
      '--once',
      '--host',
      '127.0.0.1',
      '--ports',
      `${smtp.port},${closed}`,
    ]);
    expect(run.code).toBe(1);
    const lines = run.stdout.split('\n');
    expect(lines.find((l) => l.startsWith('TARGET'))).toMatch(
      /TARGET\s+HOST\s+ADDRESS\s+PORT\s+RESULT\s+REASON\s+TIME/,
    );
    expect(run.stdout).toMatch(
      new RegExp(
        `127\\.0\\.0\\.1\\s+127\\.0\\.0\\.1\\s+127\\.0\\.0\\.1\\s+${closed}\\s+blocked\\s+refused\\s+\\d+\\.\\d\\ds`,
      ),
    );
    expect(run.stdout).toMatch(/Ports\n/);
    expect(run.stdout).toMatch(/Diagnosis: partial/);
    expect(run.stdout).not.toContain('\x1b[');
    expect(run.stderr).toBe('');
  });
});

describe('mistakes are one line on stderr and exit 2', () => {
  const badConfig = join(dir, 'bad.yaml');
  writeFileSync(badConfig, 'targets:\n  - host: 127.0.0.1\n    ports: [25, 70000]\n');
  it.each([
    [['probe', '--once', '--ports', '70000', '--host', '127.0.0.1'], /--ports/],
    [['probe', '--once', '--family', '5', '--host', '127.0.0.1'], /--family/],
    [['probe', '--once', '--connect-timeout', 'soon', '--host', '127.0.0.1'], /--connect-timeout/],
    [['probe', '--once', '--dns-server', 'dns.example', '--host', '127.0.0.1'], /--dns-server/],
    [['probe', '--once', '--dnsbl', '127.0.0.2', '--host', '127.0.0.1'], /--dnsbl/],
    [
      ['probe', '--once', '--egress-address', 'mail.example', '--host', '127.0.0.1'],
      /--egress-address/,
    ],
    [['probe', '--once', '--bogus'], /unknown option '--bogus'/],
    [
      ['probe', '--once', '--config', join(dir, 'missing.yaml')],
      /missing\.yaml: cannot read config file: no such file/,
    ],
    [
      ['probe', '--once', '--config', badConfig],
      /bad\.yaml:3: targets\[0\]\.ports\[1\]: expected a port number from 1 to 65535, got 70000/,
    ],
    [['probe', '--json', '--host', '127.0.0.1'], /--json goes with --once/],
    // Durations a Node timer cannot hold (over 24.8 days) used to become 1 ms: bounded now.
    [
      ['probe', '--once', '--connect-timeout', '2147483648', '--host', '127.0.0.1'],
      /--connect-timeout expects a duration from 100ms to 1m\./,
    ],
    [
      ['probe', '--once', '--greeting-timeout', '600h', '--host', '127.0.0.1'],
      /--greeting-timeout expects a duration from 100ms to 5m\./,
    ],
    [['probe', '--interval', '25d', '--host', '127.0.0.1'], /--interval expects a duration/],
    [
      ['probe', '--interval', '600h', '--host', '127.0.0.1'],
      /--interval expects a duration from 10ms to 24h\./,
    ],
    [
      ['probe', '--min-interval', '1ms', '--host', '127.0.0.1'],
      /--min-interval expects a duration from 10ms to 1m\./,
    ],
    [['probe', '--once', '--host', '127.000.000.001'], /--host expects a domain or host name/],
    [['probe', '--listen', 'localhost', '--host', '127.0.0.1'], /--listen expects \[HOST\]:PORT/],
    [['check-config', '--config', badConfig], /bad\.yaml:3: targets\[0\]\.ports\[1\]/],
    // One value, given twice: exporter-toolkit would listen on both; mxprobe says so at once.
    [
      [
        'probe',
        '--web.listen-address',
        '127.0.0.1:9725',
        '--web.listen-address',
        '127.0.0.1:9726',
        '--host',
        '127.0.0.1',
      ],
      /^mxprobe: --web\.listen-address is given more than once; it takes one value/,
    ],
    // A daemon flag with --once is refused, as a --once flag is without it.
    [
      ['probe', '--once', '--interval', '5m', '--host', '127.0.0.1'],
      /^mxprobe: --interval goes with the daemon \(without --once\)/,
    ],
    [
      ['probe', '--once', '--listen', '127.0.0.1:9725', '--host', '127.0.0.1'],
      /^mxprobe: --listen goes with the daemon \(without --once\)/,
    ],
    [
      ['probe', '--textfile', 'm.prom', '--host', '127.0.0.1'],
      /^mxprobe: --textfile goes with --once/,
    ],
  ])('%j', async (args, message) => {
    const run = await mxprobe(args);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('what check-config refuses, probe refuses too', () => {
  it.each([
    [
      'an interval below the 60 s floor',
      'interval: 5s\n',
      /floor.yaml:1: interval: expected at least 1m .*got "5s"/,
    ],
    ['a bare number as interval', 'interval: 5\n', /floor.yaml:1: interval: expected a duration/],
  ])('%s', async (_what, line, message) => {
    const file = join(dir, 'floor.yaml');
    writeFileSync(file, `${line}targets:\n  - host: 127.0.0.1\n    ports: [25]\n`);
    for (const args of [
      ['check-config', '--config', file],
      ['probe', '--config', file],
    ]) {
      const run = await mxprobe(args);
      expect(run.code).toBe(2);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stderr).toMatch(message);
    }
  });

  it('--min-interval lowers the floor for the file too (tests and the lab)', async () => {
    const file = join(dir, 'fast.yaml');
    writeFileSync(file, `interval: 5s\ntargets:\n  - host: 127.0.0.1\n    ports: [${closed}]\n`);
    const run = await mxprobe([
      'probe',
      '--once',
      '--json',
      '--config',
      file,
      '--min-interval',
      '1s',
    ]);
    expect(run.code).toBe(1);
  });

  it('a listen address from the file that cannot be bound names the file, line and field', async () => {
    const blocker = await scriptedServer(() => undefined);
    const file = join(dir, 'listen.yaml');
    writeFileSync(
      file,
      `interval: 5m\nlisten: "127.0.0.1:${blocker.port}"\ntargets:\n  - host: 127.0.0.1\n    ports: [${closed}]\n`,
    );
    const run = await mxprobe(['probe', '--config', file]);
    await blocker.close();
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toBe(
      `mxprobe: ${file}:2: listen 127.0.0.1:${blocker.port}: cannot listen: the address is already in use`,
    );
  });
});

describe('--textfile that cannot be written', () => {
  it.each([
    ['a missing directory', () => join(dir, 'no-such-dir', 'mxprobe.prom'), 'no such file'],
    [
      'a path under a file',
      () => join(badConfig(), 'mxprobe.prom'),
      'a path component is not a directory',
    ],
  ])('%s: the report first, then one line, exit 2', async (_what, path, words) => {
    const textfile = path();
    for (const json of [false, true]) {
      const run = await mxprobe([
        'probe',
        '--once',
        ...(json ? ['--json'] : []),
        '--host',
        '127.0.0.1',
        '--ports',
        String(smtp.port),
        '--textfile',
        textfile,
      ]);
      expect(run.code).toBe(2);
      if (json) expect((JSON.parse(run.stdout) as Report).diagnosis.code).toBe('ok');
      else expect(run.stdout).toMatch(/Diagnosis: ok/);
      expect(run.stderr).toBe(
        `mxprobe: --textfile ${textfile}: cannot write the metrics: ${words}\n`,
      );
    }
  });
});

describe('targets named twice', () => {
  it('are dialled once, counted once, and a warning line says so', async () => {
    const before = smtp.received.length;
    const run = await mxprobe([
      'probe',
      '--once',
      '--json',
      '--host',
      '127.0.0.1',
      '--host',
      '127.0.0.1.',
      '--ports',
      String(smtp.port),
    ]);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as Report;
    expect(report.targets).toHaveLength(1);
    expect(report.attempts).toHaveLength(1);
    expect(report.ports).toEqual([
      { port: smtp.port, status: 'open', reachable: 1, blocked: 0, filtered: 0 },
    ]);
    expect(smtp.received.length - before).toBe(1);
    expect(run.stderr).toBe(
      'mxprobe: warning: the command line: targets named more than once are probed once, their ports joined: host 127.0.0.1 ×2\n',
    );
  });
});

describe('check-config, --help, --version', () => {
  it('check-config prints the effective config of a valid file', async () => {
    const good = join(dir, 'good.yaml');
    writeFileSync(good, 'interval: 2m\ntargets:\n  - domain: mail.example\n    ports: [25]\n');
    const run = await mxprobe(['check-config', '--config', good]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/interval: 2m/);
    expect(run.stdout).toMatch(/domain: mail\.example/);
    expect(run.stdout).toMatch(/connectTimeout: 1500ms/);
  });

  it('--help teaches the commands and the verdicts', async () => {
    const top = await mxprobe(['--help']);
    expect(top.code).toBe(0);
    expect(top.stdout).toMatch(/probe/);
    expect(top.stdout).toMatch(/check-config/);
    expect(top.stdout).toMatch(/Exit status/);
    const probe = await mxprobe(['probe', '--help']);
    for (const flag of [
      '--once',
      '--json',
      '--domain',
      '--host',
      '--ports',
      '--family',
      '--dns-server',
      '--connect-timeout',
      '--greeting-timeout',
      '--listen',
      '--interval',
      '--config',
    ]) {
      expect(probe.stdout).toContain(flag);
    }
    expect(probe.stdout).toMatch(/filtered = no answer/);
  });

  it('--version prints the version, the git revision, the build date and the Node.js version', async () => {
    const run = await mxprobe(['--version']);
    expect(run.code).toBe(0);
    const revision = execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8' }).slice(0, 12);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(
      new RegExp(`^mxprobe, version \\d+\\.\\d+\\.\\d+ \\(revision: ${revision}\\)$`),
    );
    expect(lines[1]).toMatch(/^ {2}build date: +\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/);
    expect(lines[2]).toBe(`  node.js version:  ${process.version}`);
  });
});
