// The built `mxprobe probe` as a fleet runs it, with the Prometheus flag names: configured by
// --config.file and --web.config.file, listening on --web.listen-address, logging logfmt under
// a (fake) journald whose JOURNAL_STREAM names the very file its stdout goes to, so each line
// carries the syslog priority that `journalctl -p err` filters on.
import { hashSync } from 'bcryptjs';
import { spawn, type ChildProcess } from 'node:child_process';
import {
  closeSync,
  fstatSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, freePort } from '../helpers/daemon-process.js';
import { closedPort } from '../helpers/loopback-servers.js';
import { mxprobe } from '../helpers/run-mxprobe.js';

const dir = mkdtempSync(join(tmpdir(), 'mxprobe-exporter-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const AUTH = `Basic ${Buffer.from('prometheus:s3cret').toString('base64')}`;
let closed: number;
beforeAll(async () => {
  closed = await closedPort();
});

interface Daemon {
  child: ChildProcess;
  base: string;
  lines(): string[];
  waitFor(match: RegExp, from?: number): Promise<string>;
  stop(): Promise<number | null>;
}

/** The daemon with stdout on a file, as systemd connects it to journald's stream. */
async function start(
  name: string,
  flags: (files: { config: string; web: string; port: number }) => string[],
  env: (stdout: { dev: bigint; ino: bigint }) => Record<string, string> = () => ({}),
): Promise<Daemon> {
  const port = await freePort();
  const config = join(dir, `${name}.yaml`);
  const web = join(dir, `${name}-web.yml`);
  const log = join(dir, `${name}.log`);
  writeFileSync(config, `interval: 1m\ntargets:\n  - host: 127.0.0.1\n    ports: [${closed}]\n`);
  writeFileSync(web, `basic_auth_users:\n  prometheus: "${hashSync('s3cret', 4)}"\n`);
  const fd = openSync(log, 'w');
  const stat = fstatSync(fd, { bigint: true });
  const child = spawn(
    process.execPath,
    [BIN, 'probe', '--no-cloud-detection', ...flags({ config, web, port })],
    { stdio: ['ignore', fd, 'pipe'], env: { ...process.env, ...env(stat) } },
  );
  closeSync(fd);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const lines = (): string[] => readFileSync(log, 'utf8').split('\n').filter(Boolean);
  const daemon: Daemon = {
    child,
    base: `http://127.0.0.1:${port}`,
    lines,
    waitFor: async (match, from = 0) => {
      const deadline = Date.now() + 15_000;
      for (;;) {
        const found = lines()
          .slice(from)
          .find((l) => match.test(l));
        if (found !== undefined) return found;
        if (child.exitCode !== null) throw new Error(`mxprobe exited: ${stderr}`);
        if (Date.now() > deadline) throw new Error(`no ${match} in ${lines().join('\n')}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
  await daemon.waitFor(/probe cycle finished/);
  return daemon;
}

describe('under journald, with the exporter flags', () => {
  let daemon: Daemon;
  beforeAll(async () => {
    daemon = await start(
      'journald',
      ({ config, web, port }) => [
        '--config.file',
        config,
        '--web.config.file',
        web,
        '--web.listen-address',
        `127.0.0.1:${port}`,
        '--web.enable-lifecycle',
        '--log.format',
        'logfmt',
        '--log.level',
        'debug',
      ],
      ({ dev, ino }) => ({ JOURNAL_STREAM: `${dev}:${ino}` }),
    );
  });
  afterAll(async () => {
    expect(await daemon.stop()).toBe(0);
  });

  it('logs one logfmt line per event, each with its syslog priority', () => {
    const lines = daemon.lines();
    for (const line of lines)
      expect(line).toMatch(/^<[3467]>time=\S+ level=(debug|info|warn|error) msg=/);
    expect(lines[0]).toMatch(
      /^<6>time=\S+ level=info msg="mxprobe daemon started" version=\S+ listen=127\.0\.0\.1:\d+ tls=false basicAuthUsers=1 /,
    );
    expect(lines.some((l) => l.startsWith('<7>') && l.includes('level=debug'))).toBe(true);
    // Users without TLS: said once at start, as a warning.
    expect(lines.filter((l) => l.startsWith('<4>'))).toEqual([
      expect.stringMatching(
        /^<4>time=\S+ level=warn msg="basic auth without TLS: passwords cross the network in the clear" webConfig=\S+journald-web\.yml$/,
      ),
    ]);
  });

  it('asks every endpoint for the user of the web config', async () => {
    for (const path of ['/', '/metrics', '/status', '/healthz']) {
      const denied = await fetch(`${daemon.base}${path}`);
      expect([path, denied.status, denied.headers.get('www-authenticate')]).toEqual([
        path,
        401,
        'Basic realm="mxprobe", charset="UTF-8"',
      ]);
      const allowed = await fetch(`${daemon.base}${path}`, { headers: { authorization: AUTH } });
      expect([path, allowed.status]).toEqual([path, 200]);
    }
  });

  it('a refused reload is the one error line: what `journalctl -p err` shows', async () => {
    const from = daemon.lines().length;
    const config = join(dir, 'journald.yaml');
    const good = readFileSync(config, 'utf8');
    writeFileSync(config, 'interval: soon\ntargets: []\n');
    const refused = await fetch(`${daemon.base}/-/reload`, {
      method: 'POST',
      headers: { authorization: AUTH },
    });
    expect(refused.status).toBe(500);
    expect(await refused.text()).toMatch(/^reload failed: .*journald\.yaml:1: interval: .*\n$/);
    const error = await daemon.waitFor(/level=error/, from);
    expect(error).toMatch(
      /^<3>time=\S+ level=error msg="config reload failed; the running config stays in force" error=".*journald\.yaml:1: interval: .*; .*journald\.yaml:2: targets: /,
    );
    writeFileSync(config, good);
    daemon.child.kill('SIGHUP');
    const reloaded = await daemon.waitFor(/msg="config reloaded"/, from);
    expect(reloaded.startsWith('<6>')).toBe(true);
    const errors = daemon.lines().filter((l) => l.startsWith('<3>'));
    expect(errors).toEqual([error]);
  });
});

describe('the old flag names, and a JOURNAL_STREAM that is not this stdout', () => {
  it('--config, --listen and --log-level still work; JSON lines without a priority prefix', async () => {
    const daemon = await start(
      'aliases',
      ({ config, port }) => [
        '--config',
        config,
        '--listen',
        `127.0.0.1:${port}`,
        '--log-level',
        'debug',
      ],
      ({ dev, ino }) => ({ JOURNAL_STREAM: `${dev}:${ino + 1n}` }),
    );
    try {
      const lines = daemon.lines();
      expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'info', msg: 'mxprobe daemon started' });
      expect(lines.some((l) => JSON.parse(l).level === 'debug')).toBe(true);
      // No web config: open, as exporters are by default.
      expect((await fetch(`${daemon.base}/metrics`)).status).toBe(200);
    } finally {
      expect(await daemon.stop()).toBe(0);
    }
  });
});

describe('a bad web config', () => {
  it('at start: every mistake named (file, line, field) on one line, exit 2, no stack', async () => {
    const web = join(dir, 'bad-web.yml');
    writeFileSync(web, 'tls_server_config:\n  cert_file: server.crt\n  min_version: TLS1.3\n');
    const run = await mxprobe([
      'probe',
      '--no-cloud-detection',
      '--host',
      '127.0.0.1',
      '--web.listen-address',
      `127.0.0.1:${await freePort()}`,
      '--web.config.file',
      web,
    ]);
    expect(run.code).toBe(2);
    // Every mistake, on the one line a config error is.
    expect(run.stderr).toBe(
      `mxprobe: ${web}:3: tls_server_config.min_version: expected TLS10, TLS11, TLS12 or TLS13, got "TLS1.3"; ` +
        `${web}:1: tls_server_config: missing key_file (the private key)\n`,
    );
  });

  it('check-config --web.config.file checks it', async () => {
    const web = join(dir, 'check-web.yml');
    writeFileSync(web, `basic_auth_users:\n  prometheus: "${hashSync('s3cret', 4)}"\n`);
    const good = await mxprobe(['check-config', '--web.config.file', web]);
    expect(good.code).toBe(0);
    expect(good.stderr).toContain(
      `mxprobe: ${web}: web config is valid (no TLS; 1 basic auth user)`,
    );
    writeFileSync(web, 'basic_auth_users:\n  prometheus: plain\n');
    const bad = await mxprobe(['check-config', '--web.config.file', web]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(
      new RegExp(`^mxprobe: ${web}:2: basic_auth_users\\.prometheus: expected a bcrypt hash`),
    );
  });
});
