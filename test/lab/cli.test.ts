// `npm run lab -- <scenario>` as people use it: for every scenario it brings its own lab up,
// runs mxprobe, shows the verdict and leaves nothing behind, also when interrupted; `--shell`
// puts the user in the VM. Each run replaces the shared lab, so it is rebuilt at the end.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCENARIO_NAMES, type ScenarioName } from '../../lab/scenarios.js';
import type { DiagnosisCode, Report } from '../../src/types.js';
import { expectNothingLeft, lab, runCli } from './helpers.js';

// What each scenario's documented verdict is (lab/scenarios.ts `expect`).
const VERDICT: Record<ScenarioName, { exit: number; diagnosis: DiagnosisCode }> = {
  open: { exit: 0, diagnosis: 'ok' },
  azure: { exit: 1, diagnosis: 'port25-blocked' },
  reject25: { exit: 1, diagnosis: 'port25-blocked' },
  icmp25: { exit: 1, diagnosis: 'port25-blocked' },
  'local-fw': { exit: 1, diagnosis: 'port25-blocked' },
  'all-blocked': { exit: 1, diagnosis: 'egress-blocked' },
  'dns-down': { exit: 3, diagnosis: 'dns-failed' },
  partial: { exit: 1, diagnosis: 'partial' },
  'v6-blocked': { exit: 1, diagnosis: 'partial' },
  'no-v6': { exit: 0, diagnosis: 'ok' },
  lossy: { exit: 0, diagnosis: 'ok' },
  intercept25: { exit: 0, diagnosis: 'ok' },
  reputation: { exit: 1, diagnosis: 'port25-refused' },
  hetzner: { exit: 1, diagnosis: 'port25-blocked' },
  linode: { exit: 1, diagnosis: 'port25-blocked' },
  digitalocean: { exit: 1, diagnosis: 'port25-blocked' },
  'beyond-policy': { exit: 1, diagnosis: 'port25-blocked' },
  identity: { exit: 0, diagnosis: 'ok' },
};

beforeAll(() => {
  // The front end refuses to replace a lab another process owns; this file owns the lab now.
  lab.down();
});

afterAll(async () => {
  // Give the remaining test files their lab back.
  await lab.up();
});

describe('npm run lab', () => {
  it('--help lists every scenario with one line each', async () => {
    const run = await runCli(['--help']);
    expect(run.code).toBe(0);
    for (const name of SCENARIO_NAMES)
      expect(run.stdout).toMatch(new RegExp(`^  ${name}\\s+\\S.*$`, 'm'));
  });

  it('refuses an unknown scenario with exit 2 and the list of scenarios', async () => {
    const run = await runCli(['gcp']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('unknown scenario "gcp"');
    expect(run.stderr).toContain('azure');
  });

  it.each([
    [['open', '--instance', 'T1'], '--instance: "T1" is not a lab instance name'],
    [['down', '--instance=lab-2'], '--instance: "lab-2" is not a lab instance name'],
    [['open', '--instance', 'abcdefg'], '--instance: "abcdefg" is not a lab instance name'],
  ])('refuses the instance name in %j with exit 2 and one line', async (args, message) => {
    const run = await runCli(args);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toEqual([
      `lab: ${message} (1 to 6 characters, a-z and 0-9)`,
    ]);
  });

  it('refuses a bad MXLAB_INSTANCE with exit 2 and one line naming it', async () => {
    const run = await runCli(['open'], { env: { MXLAB_INSTANCE: '../x' } });
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toEqual([
      'lab: MXLAB_INSTANCE: "../x" is not a lab instance name (1 to 6 characters, a-z and 0-9)',
    ]);
  });

  it('--instance without a name is a usage error', async () => {
    const run = await runCli(['open', '--instance']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^lab: --instance needs a name$/m);
  });

  it.each(SCENARIO_NAMES.filter((n) => n !== 'lossy'))(
    '%s: shows the documented verdict and leaves nothing behind',
    async (name) => {
      const run = await runCli([name, '--json']);
      const report = JSON.parse(run.stdout) as Report;
      expect({ exit: run.code, diagnosis: report.diagnosis.code }).toEqual(VERDICT[name]);
      expect(run.stderr).toMatch(/lab: up in \d+ ms/);
      expect(run.stderr).toMatch(/lab: torn down in \d+ ms/);
      expectNothingLeft();
    },
  );

  it('lossy: runs and leaves nothing behind', async () => {
    // Its verdict under loss is the subject of lossy.test.ts; here: the front end works.
    const run = await runCli(['lossy', '--json']);
    const report = JSON.parse(run.stdout) as Report;
    expect(report.attempts.length).toBeGreaterThan(0);
    expectNothingLeft();
  });

  it('prints the table by default', async () => {
    const run = await runCli(['azure']);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/mx1\.alpha\.example\s+198\.51\.100\.11\s+25\s+filtered\s+timeout/);
    expect(run.stdout).toContain('port25-blocked');
    expectNothingLeft();
  });

  it('tears down when interrupted with Ctrl-C in the middle of a probe', async () => {
    const run = await runCli(['azure'], { interruptWhen: /running in the VM/ });
    expect(run.code).toBe(130);
    expectNothingLeft();
  });

  it('--shell puts the user in the VM with mxprobe on the PATH, and tears down on exit', async () => {
    const script = [
      `ip -o -4 addr show dev ${lab.names.links.vm} | grep -o "inet [0-9./]*"`,
      'mxprobe probe --once --json --host smtp.alpha.example --ports 587 > /dev/null; echo "mxprobe exit $?"',
      'exit 7',
      '',
    ].join('\n');
    const run = await runCli(['reject25', '--shell'], { input: script });
    expect(run.stdout).toContain('inet 192.0.2.2/29');
    expect(run.stdout).toContain('mxprobe exit 0');
    expect(run.code).toBe(7);
    expectNothingLeft();
  });

  it('refuses to start while another process owns a lab', async () => {
    await lab.up(); // owned by this test process, which is alive
    const run = await runCli(['open']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/a lab is already up \(started by pid \d+\)/);
    expect(lab.leftovers().namespaces.length).toBe(3); // and left it alone
    lab.down();
  });

  it('down removes a lab left behind by a crashed run', async () => {
    // A lab brought up and abandoned, as after a kill -9.
    await lab.up();
    expect(lab.leftovers().namespaces.length).toBe(3);
    const run = await runCli(['down']);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(`removed ${lab.names.namespaces.vm}, `);
    expectNothingLeft();
  });
});
