// Issue "beyond the port", end to end on loopback: port 25 refused while 587 greets, an
// authenticated relay verified with nodemailer, and a fake Azure metadata service — what the
// person at the VM reads. Binding 587 needs root: test/root runs as root only (as in CI).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/types.js';
import { AZURE_DOCUMENT, azureImds, startFake, type FakeServer } from '../helpers/cloud-fakes.js';
import { realSmtpServer, testCert, type Loopback } from '../helpers/loopback-servers.js';
import { startSmtpServer, type Listening } from '../helpers/relay-fixtures.js';
import { mxprobe } from '../helpers/run-mxprobe.js';

const VM_SIDE = '127.0.0.5';
const PASSWORD = 'correct horse battery staple';
describe('port 25 blocked, relay proven, Azure named', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mxprobe-remedy-'));
  const caFile = join(dir, 'ca.pem');
  let submission: Loopback;
  let relay: Listening;
  let imds: FakeServer;

  beforeAll(async () => {
    submission = await realSmtpServer({ host: VM_SIDE, port: 587 });
    relay = await startSmtpServer({
      ...testCert(),
      authMethods: ['PLAIN', 'LOGIN'],
      onAuth(auth, _session, callback) {
        if (auth.username === 'vm1' && auth.password === PASSWORD) callback(null, { user: 'vm1' });
        else callback(new Error('Invalid username or password'));
      },
    });
    imds = await startFake(azureImds);
    writeFileSync(caFile, testCert().cert);
  });
  afterAll(async () => {
    await Promise.all([submission.close(), relay.close(), imds.close()]);
  });

  function configWith(password: string): string {
    const file = join(dir, `config-${password.length}.yaml`);
    writeFileSync(join(dir, 'secret'), `${password}\n`);
    writeFileSync(
      file,
      `targets:
  - host: ${VM_SIDE}
    ports: [25, 587]
relays:
  - name: lab-relay
    host: 127.0.0.1
    port: ${relay.port}
    secure: starttls
    username: vm1
    passwordFile: ${join(dir, 'secret')}
cloudDetection:
  azureUrl: ${imds.base}/metadata/instance
  timeout: 5s
`,
    );
    return file;
  }

  it('says port 25 is blocked, the relay works, and names Azure and the subscription', async () => {
    const run = await mxprobe(['probe', '--once', '--json', '--config', configWith(PASSWORD)], {
      NODE_EXTRA_CA_CERTS: caFile,
    });
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as Report;
    expect(report.diagnosis.code).toBe('port25-blocked');
    expect(report.diagnosis.hints).toContain('relay-ok');
    expect(report.relays).toEqual([
      expect.objectContaining({
        name: 'lab-relay',
        host: '127.0.0.1',
        port: relay.port,
        status: 'ok',
        reason: null,
      }),
    ]);
    expect(report.environment).toMatchObject({
      cloud: 'azure',
      azure: {
        subscriptionId: AZURE_DOCUMENT.compute.subscriptionId,
        location: 'westeurope',
        vmId: AZURE_DOCUMENT.compute.vmId,
      },
    });
    const advice = report.diagnosis.advice.join('\n');
    expect(advice).toContain(AZURE_DOCUMENT.compute.subscriptionId);
    expect(advice).toMatch(/stopped, deallocated and started again/);
    expect(advice).toMatch(/587/);
    expect(report.diagnosis.summary).toMatch(/refused with a TCP reset/);
    expect(report.diagnosis.summary).toMatch(/relay lab-relay works/);
    expect(run.stdout).not.toContain(PASSWORD);

    const human = await mxprobe(['probe', '--once', '--config', configWith(PASSWORD)], {
      NODE_EXTRA_CA_CERTS: caFile,
    });
    expect(human.stdout).toMatch(/Diagnosis: port25-blocked/);
    expect(human.stdout).toMatch(/lab-relay\s+127\.0\.0\.1:\d+\s+ok/);
    expect(human.stdout).toMatch(/Azure/);
  });

  it('with a wrong password it says the relay rejects the credentials', async () => {
    const run = await mxprobe(
      ['probe', '--once', '--json', '--config', configWith('wrong password')],
      {
        NODE_EXTRA_CA_CERTS: caFile,
      },
    );
    const report = JSON.parse(run.stdout) as Report;
    expect(report.relays[0]).toMatchObject({ status: 'auth-failed' });
    expect(report.relays[0]?.reason).toMatch(/credentials rejected/);
    expect(report.diagnosis.hints).toContain('relay-failed');
    expect(report.diagnosis.advice.join('\n')).toMatch(/lab-relay .* did not verify: auth-failed/);
    expect(run.stdout).not.toContain('wrong password');
  });
});
