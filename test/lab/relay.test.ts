// The remedy, proven on a blocked VM: in the `azure` scenario (port 25 silently dropped, a fake
// Azure metadata service in the lab), a configured authenticated relay on 587 is verified with
// real STARTTLS and AUTH against the lab's submission server. What the person at the VM reads:
// port 25 is blocked, the relay works (or rejects the credentials), and the advice names Azure.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { probeSetYaml } from '../../lab/probe-set.js';
import { LAB_PASSWORD, LAB_USER } from '../../lab/servers.js';
import { AZURE_COMPUTE, PROVIDERS } from '../../lab/zone.js';
import type { Report } from '../../src/types.js';
import { applyScenario, lab } from './helpers.js';

const RELAY_HOST = PROVIDERS[0]?.submission.name ?? '';
const dir = mkdtempSync(join(tmpdir(), 'mxlab-relay-'));

/** The lab probe set plus one relay, its password in a file as a systemd credential would be. */
function configWithRelay(password: string): string {
  const secret = join(dir, `secret-${password.length}`);
  writeFileSync(secret, `${password}\n`, { mode: 0o600 });
  const file = join(dir, `config-${password.length}.yaml`);
  writeFileSync(
    file,
    `${probeSetYaml('azure')}relays:
  - name: lab-relay
    host: ${RELAY_HOST}
    port: 587
    secure: starttls
    username: ${LAB_USER}
    passwordFile: ${secret}
`,
  );
  return file;
}

async function probe(
  config: string,
  json: boolean,
): Promise<{ code: number | null; stdout: string }> {
  const run = await lab.mxprobe(
    ['probe', '--once', ...(json ? ['--json'] : []), '--config', config],
    {
      env: { NO_COLOR: '1' },
      timeoutMs: 120_000,
    },
  );
  return { code: run.code, stdout: run.stdout };
}

describe('scenario azure with an authenticated relay', () => {
  beforeAll(() => {
    applyScenario('azure');
  });

  it('says port 25 is blocked and the relay works: the way out is proven', async () => {
    const run = await probe(configWithRelay(LAB_PASSWORD), true);
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as Report;
    expect(report.diagnosis.code).toBe('port25-blocked');
    expect(report.relays).toEqual([
      expect.objectContaining({ name: 'lab-relay', host: RELAY_HOST, port: 587, status: 'ok' }),
    ]);
    expect(report.diagnosis.hints).toContain('relay-ok');
    expect(report.diagnosis.summary).toMatch(/relay lab-relay works/);
    expect(report.environment).toMatchObject({
      cloud: 'azure',
      azure: { subscriptionId: AZURE_COMPUTE.subscriptionId },
    });
    expect(report.diagnosis.advice.join('\n')).toContain(AZURE_COMPUTE.subscriptionId);

    const human = await probe(configWithRelay(LAB_PASSWORD), false);
    expect(human.stdout).toMatch(/Diagnosis: port25-blocked/);
    expect(human.stdout).toMatch(
      new RegExp(`lab-relay\\s+${RELAY_HOST.replace(/\./g, '\\.')}:587\\s+ok`),
    );
  });

  it('with a wrong password it says the relay rejects the credentials', async () => {
    const run = await probe(configWithRelay('not the password'), true);
    const report = JSON.parse(run.stdout) as Report;
    expect(report.diagnosis.code).toBe('port25-blocked');
    expect(report.relays[0]).toMatchObject({ status: 'auth-failed' });
    expect(report.relays[0]?.reason).toMatch(/credentials rejected/);
    expect(report.diagnosis.hints).toContain('relay-failed');
    expect(run.stdout).not.toContain('not the password');
  });
});
