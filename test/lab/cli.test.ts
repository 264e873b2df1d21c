// `npm run lab -- <scenario>` as people use it: for every scenario it brings its own lab up,
// runs mxprobe, shows the verdict and leaves nothing behind, also when interrupted; `--shell`
// puts the user in the VM. Each run replaces the shared lab, so it is rebuilt at the end.

import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labLeftovers, REPO_ROOT } from '../../lab/lab.js';
import { SCENARIO_NAMES, type ScenarioName } from '../../lab/scenarios.js';
import type { DiagnosisCode, Report } from '../../src/types.js';
import { lab } from './helpers.js';

const CLI = join(REPO_ROOT, 'dist', 'lab', 'cli.js');

interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function runCli(
  args: string[],
  options: { input?: string; interruptWhen?: RegExp } = {},
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    });
    let stdout = '';
    let stderr = '';
    let interrupted = false;
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => {
      stderr += s;
      if (options.interruptWhen && !interrupted && options.interruptWhen.test(stderr)) {
        interrupted = true;
        child.kill('SIGINT');
      }
    });
    child.stdin.end(options.input ?? '');
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

function expectNothingLeft(): void {
  const left = labLeftovers();
  expect({
    namespaces: left.namespaces,
    links: left.links,
    pids: left.pids,
    files: left.files,
  }).toEqual({
    namespaces: [],
    links: [],
    pids: [],
    files: [],
  });
}

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
      'ip -o -4 addr show dev mxl-vm0 | grep -o "inet [0-9./]*"',
      'mxprobe probe --once --json --host smtp.alpha.example --ports 587 > /tmp/mxlab-shell-report.json; echo "mxprobe exit $?"',
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
    expect(labLeftovers().namespaces.length).toBe(3); // and left it alone
    lab.down();
  });

  it('down removes a lab left behind by a crashed run', async () => {
    // A lab brought up and abandoned, as after a kill -9.
    await lab.up();
    expect(labLeftovers().namespaces.length).toBe(3);
    const run = await runCli(['down']);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/removed mxl-/);
    expectNothingLeft();
  });
});
