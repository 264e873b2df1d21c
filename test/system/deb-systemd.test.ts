// The Debian package under a real systemd: a container booted from an overlay of this machine
// (test/helpers/systemd-container.ts) gets the .deb from release/, and the service is driven the
// way an admin drives it: installed, enabled and started by dpkg, scraped, reloaded, stopped,
// purged. Node.js is deleted inside the container first, so everything here runs without it.
//
// The shipped /etc/mxprobe/config.yaml probes real mail providers and must never run here: the
// test writes its own config first (one IP literal on loopback, so no DNS query; no cloud
// detection; listening on loopback) and dpkg keeps it (--force-confold). The container has a
// private network with loopback only, so nothing could leave even by mistake.
import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { footprintShape } from '../../bench/footprint-peers.js';
import {
  LOOPBACK_ONLY_CONFIG,
  ok,
  SERVICE_LISTEN,
  SystemdContainer,
} from '../helpers/systemd-container.js';

const REPO_ROOT = join(import.meta.dirname, '..', '..');
const VERSION = (
  JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }
).version;
/** The commit the executable was built from, as its --version says (npm run package embeds it). */
function builtRevision(): string {
  const executable = join(REPO_ROOT, 'release', `mxprobe-${VERSION}-linux-${process.arch}`);
  const printed = execFileSync(executable, ['--version'], { encoding: 'utf8' });
  return /\(revision: ([0-9a-f]{12})\)/.exec(printed)?.[1] ?? 'none';
}
/** Where the test puts its inputs inside the container (not part of what purge must clean). */
const INPUTS = '/srv/system-test';
/** The footprint peers as built (npm run build): bench/footprint-peers.ts. */
const PEERS = join(REPO_ROOT, 'dist', 'bench', 'footprint-peers.js');
const FOOTPRINT_CYCLES = Number(process.env.FOOTPRINT_CYCLES ?? 300);
const BAD_CONFIG = `${LOOPBACK_ONLY_CONFIG}interval: soon\n`;
/** Every path the package installs. */
const PACKAGE_PATHS = [
  '/usr/bin/mxprobe',
  '/usr/lib/systemd/system/mxprobe.service',
  '/etc/mxprobe/config.yaml',
  '/etc/default/mxprobe',
  '/usr/share/doc/mxprobe/docs/runbook.md',
  '/usr/share/doc/mxprobe/copyright',
  '/usr/share/man/man1/mxprobe.1.gz',
];
/**
 * Under journald the daemon starts each line with its syslog priority (`<3>` for errors), which
 * journald strips and files as the entry's PRIORITY: `journalctl -p err` shows the errors.
 */
const JOURNAL_PRIORITY_OF_ERROR_LINES = 3;

interface JournalEntry {
  priority: number;
  message: string;
  /** The daemon's own log line, when the message is one. */
  log: Record<string, unknown> | undefined;
}

let container: SystemdContainer;
let deb: string;

/** The service's own output in the journal (not systemd's lines about the unit). */
async function journal(extra: string[] = []): Promise<JournalEntry[]> {
  const out = ok(
    await container.run([
      'journalctl',
      '_SYSTEMD_UNIT=mxprobe.service',
      '--output=json',
      '--no-pager',
      ...extra,
    ]),
    'journalctl',
  );
  return out
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const entry = JSON.parse(line) as { PRIORITY?: string; MESSAGE?: unknown };
      const message = typeof entry.MESSAGE === 'string' ? entry.MESSAGE : '';
      let log: Record<string, unknown> | undefined;
      try {
        // A future `<N>` prefix is journald's to strip; the rest of the line is the JSON.
        log = JSON.parse(message) as Record<string, unknown>;
      } catch {
        log = undefined;
      }
      return { priority: Number(entry.PRIORITY), message, log };
    });
}

async function waitForLog(
  match: (log: Record<string, unknown>) => boolean,
  timeoutMs = 10_000,
): Promise<JournalEntry> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const entries = await journal();
    const found = entries.find((e) => e.log !== undefined && match(e.log));
    if (found) return found;
    if (Date.now() > deadline) {
      throw new Error(
        `no such log line in ${timeoutMs} ms:\n${entries.map((e) => e.message).join('\n')}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** GET from inside the container's network (its loopback is the only one it has). */
async function get(path: string): Promise<{ status: number; body: string }> {
  const script =
    `fetch('http://${SERVICE_LISTEN}${path}').then(async (r) => ` +
    `process.stdout.write(JSON.stringify({ status: r.status, body: await r.text() })))`;
  const result = await container.inNetwork([process.execPath, '-e', script]);
  return JSON.parse(ok(result, `GET ${path}`)) as { status: number; body: string };
}

async function property(name: string): Promise<string> {
  return container.unitProperty('mxprobe.service', name);
}

async function writeConfig(text: string): Promise<void> {
  await writeFile('/etc/mxprobe/config.yaml', text);
}

async function writeFile(path: string, text: string): Promise<void> {
  ok(await container.run(['/bin/sh', '-c', `cat > ${path}`], { input: text }), `writing ${path}`);
}

describe('the Debian package under a real systemd', () => {
  beforeAll(async () => {
    // This machine's architecture (release/ holds the .deb of each).
    const arch = process.arch === 'arm64' ? 'arm64' : 'amd64';
    const debs = readdirSync(join(REPO_ROOT, 'release')).filter((f) => f.endsWith(`_${arch}.deb`));
    expect(debs).toHaveLength(1);
    deb = debs[0]!;
    container = await SystemdContainer.boot();
    mkdirSync(join(container.root, INPUTS), { recursive: true });
    writeFileSync(join(container.root, INPUTS, deb), readFileSync(join(REPO_ROOT, 'release', deb)));
    ok(
      await container.sh(`
        # No Node.js in the container: the executable must not need it.
        for name in node nodejs; do
          while path="$(command -v "$name")"; do rm -f "$path"; done
        done
        # The machine image this container is made from denies service starts to maintainer
        # scripts (a policy-rc.d that exits 101, usual in container images); a real VM has none.
        rm -f /usr/sbin/policy-rc.d
        mkdir -p /etc/mxprobe
      `),
      'preparing the container',
    );
    await writeConfig(LOOPBACK_ONLY_CONFIG);
  });

  afterAll(async () => {
    await container?.destroy();
  });

  it('runs the packaged executable with no node anywhere on the PATH', async () => {
    const extracted = `${INPUTS}/extracted`;
    ok(await container.run(['dpkg-deb', '-x', `${INPUTS}/${deb}`, extracted]), 'dpkg-deb -x');
    const which = await container.sh('command -v node || command -v nodejs', { timeoutMs: 5_000 });
    expect(which.status).not.toBe(0);
    const version = await container.run([`${extracted}/usr/bin/mxprobe`, '--version'], {
      env: { PATH: '/usr/bin:/bin' },
    });
    expect(version.stderr).toBe('');
    expect(version.stdout).toMatch(
      new RegExp(
        `^mxprobe, version ${VERSION.replace(/\./g, '\\.')} \\(revision: [0-9a-f]{12}\\)\n`,
      ),
    );
    ok(await container.run(['rm', '-rf', extracted]), 'rm');
  });

  it('installs with dpkg: the service is enabled, running, and runs the config it was given', async () => {
    const install = await container.run(['dpkg', '-i', '--force-confold', `${INPUTS}/${deb}`], {
      env: { DEBIAN_FRONTEND: 'noninteractive' },
      timeoutMs: 120_000,
    });
    ok(install, 'dpkg -i');
    expect(
      ok(await container.run(['systemctl', 'is-enabled', 'mxprobe.service']), 'is-enabled').trim(),
    ).toBe('enabled');
    await waitForLog((log) => log.msg === 'mxprobe daemon started');
    expect(await property('ActiveState')).toBe('active');
    // The process systemd runs is the executable itself, not a node interpreter.
    const pid = await property('MainPID');
    const exe = ok(await container.run(['readlink', `/proc/${pid}/exe`]), 'readlink').trim();
    expect(exe).toBe('/usr/bin/mxprobe');
    // dpkg kept the config written before the installation.
    expect(ok(await container.run(['cat', '/etc/mxprobe/config.yaml']), 'cat')).toBe(
      LOOPBACK_ONLY_CONFIG,
    );
  });

  it('serves /metrics and /status on its loopback with the results of that config', async () => {
    const deadline = Date.now() + 15_000;
    let metrics = '';
    while (!metrics.includes('mxprobe_probe_result{') && Date.now() < deadline) {
      metrics = (await get('/metrics')).body;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(metrics).toContain(
      'mxprobe_probe_result{target="127.0.0.1",host="127.0.0.1",address="127.0.0.1",port="2525",result="blocked"} 1',
    );
    expect(metrics).toMatch(
      new RegExp(
        `^mxprobe_build_info\\{version="${VERSION}",revision="${builtRevision()}",nodejs="v\\d+\\.\\d+\\.\\d+"\\} 1$`,
        'm',
      ),
    );
    const status = await get('/status');
    expect(status.status).toBe(200);
    const report = JSON.parse(status.body) as { targets: { target: string }[] };
    expect(report.targets.map((t) => t.target)).toEqual(['127.0.0.1']);
  });

  it('re-reads its config on systemctl reload, in the same process, as the journal shows', async () => {
    const pid = await property('MainPID');
    const before = (await journal()).length;
    ok(await container.run(['systemctl', 'reload', 'mxprobe.service']), 'systemctl reload');
    await waitForLog((log) => log.msg === 'config reloaded');
    const after = await journal();
    const since = after.slice(before).map((e) => e.log?.msg);
    expect(since).toContain('reloading config');
    expect(since).toContain('config reloaded');
    expect(await property('MainPID')).toBe(pid);
  });

  it('logs to journald: the start line, and errors at the priority their lines carry', async () => {
    // A broken config on reload is an error of the daemon's own; the running config stays.
    await writeConfig(BAD_CONFIG);
    ok(await container.run(['systemctl', 'reload', 'mxprobe.service']), 'systemctl reload');
    const failed = await waitForLog((log) => log.level === 'error');
    await writeConfig(LOOPBACK_ONLY_CONFIG);
    expect(failed.log?.msg).toBe('config reload failed; the running config stays in force');
    expect(await property('ActiveState')).toBe('active');

    const entries = await journal();
    const start = entries.find((e) => e.log?.msg === 'mxprobe daemon started');
    expect(start?.log).toMatchObject({ level: 'info', version: VERSION, listen: SERVICE_LISTEN });
    expect(failed.priority).toBe(JOURNAL_PRIORITY_OF_ERROR_LINES);
    // What `journalctl -p err` shows must only ever be error lines of the daemon.
    const errors = await journal(['--priority=err']);
    expect(errors.map((e) => e.log?.msg)).toContain(
      'config reload failed; the running config stays in force',
    );
    for (const entry of errors) expect(entry.log?.level).toBe('error');
  });

  it(
    `holds its memory as the service over ${FOOTPRINT_CYCLES} cycles of the shipped default's shape`,
    async () => {
      // The peers (real SMTP servers, a DNS server) run in the container's network, from this
      // machine's node: the container itself has none. They write the probe set for the service.
      const dir = join(container.root, INPUTS, 'footprint');
      mkdirSync(dir, { recursive: true });
      const peers = spawn(
        'nsenter',
        [
          `--target=${container.leader}`,
          '--net',
          '--',
          process.execPath,
          PEERS,
          dir,
          SERVICE_LISTEN,
          '10ms',
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      const defaults = ok(await container.run(['cat', '/etc/default/mxprobe']), 'cat');
      try {
        await new Promise<void>((resolve, reject) => {
          peers.stdout.setEncoding('utf8').on('data', (text: string) => {
            if (text.startsWith('ready')) resolve();
          });
          peers.once('exit', (code) => reject(new Error(`the footprint peers exited (${code})`)));
        });
        const attempts = footprintShape().attempts;
        await writeConfig(readFileSync(join(dir, 'footprint.yaml'), 'utf8'));
        await writeFile('/etc/default/mxprobe', 'MXPROBE_ARGS="--min-interval 10ms"\n');
        ok(await container.run(['systemctl', 'restart', 'mxprobe.service']), 'systemctl restart');
        const pid = await property('MainPID');
        const samples: { anonKiB: number; rssKiB: number }[] = [];
        const deadline = Date.now() + FOOTPRINT_CYCLES * 2_000;
        let cycles = 0;
        while (cycles < FOOTPRINT_CYCLES) {
          if (Date.now() > deadline) throw new Error(`only ${cycles} cycles in time`);
          await new Promise((resolve) => setTimeout(resolve, 2_000));
          const status = ok(await container.run(['cat', `/proc/${pid}/status`]), 'status');
          const field = (name: string): number =>
            Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
          samples.push({ anonKiB: field('RssAnon'), rssKiB: field('VmRSS') });
          cycles = (await journal())
            .filter((e) => e.log?.msg === 'probe cycle finished' && e.log.attempts === attempts)
            .filter((e) => e.log?.reachable === attempts).length;
        }
        expect(await property('MainPID')).toBe(pid);
        expect(samples.length).toBeGreaterThan(3);
        const mib = (kib: number): string => `${(kib / 1024).toFixed(1)} MiB`;
        const maxAnon = Math.max(...samples.map((s) => s.anonKiB));
        const maxRss = Math.max(...samples.map((s) => s.rssKiB));
        process.stdout.write(
          `the service over ${cycles} cycles of ${attempts} attempts: max RSS ${mib(maxRss)}, ` +
            `of which anonymous ${mib(maxAnon)}; samples ${samples.map((s) => mib(s.rssKiB)).join(', ')}\n`,
        );
        expect(maxAnon).toBeLessThan(32 * 1024);
        expect(maxRss).toBeLessThan(72 * 1024);
      } finally {
        peers.kill();
        await writeFile('/etc/default/mxprobe', defaults);
        await writeConfig(LOOPBACK_ONLY_CONFIG);
        ok(await container.run(['systemctl', 'restart', 'mxprobe.service']), 'systemctl restart');
      }
    },
    60_000 + FOOTPRINT_CYCLES * 2_000,
  );

  it('on an upgrade, restarts the service and keeps the config and a disable', async () => {
    const pid = await property('MainPID');
    ok(await container.run(['systemctl', 'disable', 'mxprobe.service']), 'systemctl disable');
    const before = (await journal()).length;
    ok(
      await container.run(['dpkg', '-i', '--force-confold', `${INPUTS}/${deb}`], {
        env: { DEBIAN_FRONTEND: 'noninteractive' },
        timeoutMs: 120_000,
      }),
      'dpkg -i (upgrade)',
    );
    const deadline = Date.now() + 10_000;
    while (!(await journal()).slice(before).some((e) => e.log?.msg === 'mxprobe daemon started')) {
      if (Date.now() > deadline) throw new Error('the upgrade did not restart the service');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(await property('MainPID')).not.toBe(pid);
    expect(await property('ActiveState')).toBe('active');
    const enabled = await container.run(['systemctl', 'is-enabled', 'mxprobe.service']);
    expect(enabled.stdout.trim()).toBe('disabled');
    expect(ok(await container.run(['cat', '/etc/mxprobe/config.yaml']), 'cat')).toBe(
      LOOPBACK_ONLY_CONFIG,
    );
  });

  it('stops within 5 s of systemctl stop, cleanly', async () => {
    const started = Date.now();
    ok(await container.run(['systemctl', 'stop', 'mxprobe.service']), 'systemctl stop');
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await property('ActiveState')).toBe('inactive');
    expect(await property('Result')).toBe('success');
    await waitForLog((log) => log.msg === 'mxprobe daemon stopped');
  });

  it('leaves nothing behind after dpkg --purge', async () => {
    ok(await container.run(['dpkg', '--purge', 'mxprobe'], { timeoutMs: 60_000 }), 'dpkg --purge');
    const status = await container.run([
      'dpkg-query',
      '--show',
      '--showformat=${db:Status-Status}',
      'mxprobe',
    ]);
    expect(status.stdout.trim() === '' || status.stdout.trim() === 'not-installed').toBe(true);
    for (const path of [...PACKAGE_PATHS, '/etc/mxprobe']) {
      expect((await container.run(['test', '-e', path])).status, path).not.toBe(0);
    }
    expect(await property('LoadState')).toBe('not-found');
    // Everything the container changed is in the overlay's upper dir: no file, directory or
    // symlink named after mxprobe may remain there (the unit, enablement links, the state of
    // deb-systemd-helper, /etc/mxprobe), except the test's own inputs.
    const left = readdirSync(container.upper, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.name.includes('mxprobe'))
      .filter((entry) => entry.isFile() || entry.isDirectory() || entry.isSymbolicLink())
      .map((entry) => `/${relative(container.upper, join(entry.parentPath, entry.name))}`)
      .filter((path) => !path.startsWith(`${INPUTS}/`));
    expect(left).toEqual([]);
  });
});
