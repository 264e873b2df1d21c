// The RPM under a real systemd: its scriptlets run for real (they are only parsed by the scratch
// root install of scripts/check-deploy-release.sh). A container booted from an overlay of this
// machine (test/helpers/systemd-container.ts) gets the RPM of this architecture from release/
// and installs it with rpm (Debian's, told --force-debian; --nodeps, as the RPM database here
// knows no glibc). What the systemd macros promise is checked: enabled as the presets say and
// not started on installation, restarted on an upgrade, stopped and disabled on erase, an
// edited config kept. The config it runs is written first (loopback only, no DNS, no cloud).
import { readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOOPBACK_ONLY_CONFIG, ok, SystemdContainer } from '../helpers/systemd-container.js';

const REPO_ROOT = join(import.meta.dirname, '..', '..');
const INPUTS = '/srv/system-test';
const UNIT = 'mxprobe.service';

let container: SystemdContainer;
let rpm: string;

async function property(name: string): Promise<string> {
  return container.unitProperty(UNIT, name);
}

async function isEnabled(): Promise<string> {
  return (await container.run(['systemctl', 'is-enabled', UNIT])).stdout.trim();
}

async function rpmCommand(args: string[], what: string): Promise<string> {
  return ok(
    await container.run(['rpm', '--force-debian', '--nodeps', ...args], { timeoutMs: 120_000 }),
    what,
  );
}

async function waitFor(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within 15 s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('the RPM under a real systemd', () => {
  beforeAll(async () => {
    const arch = process.arch === 'arm64' ? 'aarch64' : 'x86_64';
    const rpms = readdirSync(join(REPO_ROOT, 'release')).filter((f) => f.endsWith(`.${arch}.rpm`));
    expect(rpms).toHaveLength(1);
    rpm = rpms[0]!;
    container = await SystemdContainer.boot();
    mkdirSync(join(container.root, INPUTS), { recursive: true });
    writeFileSync(join(container.root, INPUTS, rpm), readFileSync(join(REPO_ROOT, 'release', rpm)));
    ok(
      await container.run(
        ['/bin/sh', '-c', 'mkdir -p /etc/mxprobe && cat > /etc/mxprobe/config.yaml'],
        {
          input: LOOPBACK_ONLY_CONFIG,
        },
      ),
      'writing the config',
    );
  });

  afterAll(async () => {
    await container?.destroy();
  });

  it('installs enabled as the presets say, and not started', async () => {
    // The presets decide: a site that disables the service by preset gets it disabled.
    await container.sh(
      'mkdir -p /etc/systemd/system-preset && echo "disable mxprobe.service" > /etc/systemd/system-preset/50-mxprobe-test.preset',
    );
    await rpmCommand(['-i', `${INPUTS}/${rpm}`], 'rpm -i');
    expect(await isEnabled()).toBe('disabled');
    expect(await property('ActiveState')).toBe('inactive');
    // systemd names it by /lib on this Debian (where /lib is /usr/lib); the RPM put it in /usr/lib.
    expect(await property('FragmentPath')).toMatch(
      /^(\/usr)?\/lib\/systemd\/system\/mxprobe\.service$/,
    );
    expect(ok(await container.run(['rpm', '-ql', 'mxprobe']), 'rpm -ql').split('\n')).toContain(
      '/usr/lib/systemd/system/mxprobe.service',
    );
    // The config written before the installation stays; the package's lands beside it.
    expect(ok(await container.run(['cat', '/etc/mxprobe/config.yaml']), 'cat')).toBe(
      LOOPBACK_ONLY_CONFIG,
    );
    await rpmCommand(['-e', 'mxprobe'], 'rpm -e');

    // Without that preset, this system's default (enable) applies.
    ok(await container.run(['rm', '/etc/systemd/system-preset/50-mxprobe-test.preset']), 'rm');
    await rpmCommand(['-i', `${INPUTS}/${rpm}`], 'rpm -i');
    expect(await isEnabled()).toBe('enabled');
    expect(await property('ActiveState')).toBe('inactive');
  });

  it('an upgrade restarts a running service', async () => {
    ok(await container.run(['systemctl', 'start', UNIT]), 'systemctl start');
    await waitFor('the service running', async () => (await property('ActiveState')) === 'active');
    const pid = await property('MainPID');
    await rpmCommand(['-U', '--replacepkgs', '--replacefiles', `${INPUTS}/${rpm}`], 'rpm -U');
    await waitFor('a new main process', async () => {
      const now = await property('MainPID');
      return now !== pid && now !== '0';
    });
    expect(await property('ActiveState')).toBe('active');
    expect(
      ok(
        await container.run(['readlink', `/proc/${await property('MainPID')}/exe`]),
        'readlink',
      ).trim(),
    ).toBe('/usr/bin/mxprobe');
  });

  it('erase stops and disables the service, and keeps an edited config', async () => {
    await rpmCommand(['-e', 'mxprobe'], 'rpm -e');
    expect(await property('ActiveState')).toBe('inactive');
    expect(await property('LoadState')).toBe('not-found');
    const left = ok(await container.sh('ls /etc/mxprobe; ls /usr/bin/mxprobe 2>&1 || true'), 'ls');
    // An edited %config(noreplace) file is kept as .rpmsave, as RPM does.
    expect(left).toContain('config.yaml.rpmsave');
    expect(left).toMatch(/No such file/);
    expect(
      ok(await container.run(['find', '/etc/systemd/system', '-name', 'mxprobe*']), 'find'),
    ).toBe('');
  });
});
