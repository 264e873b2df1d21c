// A fleet in miniature: a real Prometheus scrapes three mxprobe daemons on loopback, each in a
// cloud of its own (fake metadata services) and each with its own mail path:
//   vm-azure  westeurope    25 and 587 greet             ok              relay hub verifies
//   vm-aws    eu-central-1  25 refused, 587 greets       port25-blocked  relay hub verifies
//   vm-gcp    europe-west1  25 and 587 refused           egress-blocked  relay hub unreachable
// with deploy/prometheus/rules.yml and recording.yml loaded. Every recording rule must yield
// its series with these numbers, every rule must evaluate without error, and every query of
// the two Grafana dashboards must run. Binding 25 and 587 needs root (test/root).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  awsImdsV2,
  azureImds,
  gcpMetadata,
  startFake,
  type FakeServer,
} from '../helpers/cloud-fakes.js';
import { freePort, spawnDaemon, type DaemonProcess } from '../helpers/daemon-process.js';
import {
  closedPort,
  realSmtpServer,
  testCert,
  type Loopback,
} from '../helpers/loopback-servers.js';
import { eventually, startPrometheus, type PrometheusServer } from '../helpers/prometheus.js';
import { startSmtpServer, type Listening } from '../helpers/relay-fixtures.js';

const DEPLOY = join(import.meta.dirname, '../../deploy');
const ALERTS_FILE = join(DEPLOY, 'prometheus/rules.yml');
const RECORDING_FILE = join(DEPLOY, 'prometheus/recording.yml');
const DASHBOARDS = ['mxprobe.json', 'mxprobe-fleet.json'].map((f) => join(DEPLOY, 'grafana', f));
const PASSWORD = 'fleet relay secret';
/** Dashboard panels (uid: title) or single queries (uid: title: expr) with no data in this fleet, and why. */
const EMPTY_IN_THIS_FLEET: Record<string, string> = {
  'mxprobe-fleet: DNSBL listings': 'no VM is listed',
  'mxprobe-smtp-egress: Egress addresses: DNSBL zones': 'the VMs check no egress address',
  'mxprobe-smtp-egress: Egress addresses: PTR confirmed': 'the VMs check no egress address',
  'mxprobe-smtp-egress: Delivery canaries': 'the VMs run no delivery canary',
  'mxprobe-smtp-egress: Canary delivery time': 'the VMs run no delivery canary',
  // A panel's single query, where its other queries have data (the SPF counts are 0 here).
  'mxprobe-fleet: Sender identity: SPF and EHLO: sum(job:mxprobe_ehlo_mismatch:sum)':
    'the VMs check no sender identity',
  'mxprobe-fleet: Sender identity: SPF and EHLO: sum(job:mxprobe_ehlo_checked:count)':
    'the VMs check no sender identity',
  'mxprobe-fleet: SPF and EHLO findings': 'the VMs check no sender identity',
};
/**
 * Recording rules with no series in this fleet, and why: sender identity is opt-in (an
 * `identity:` section), and checking it here would send DNS questions the fleet has no server
 * for. test/lab/identity.test.ts covers those series.
 */
const NO_SERIES_IN_THIS_FLEET: Record<string, string> = {
  'job:mxprobe_ehlo_checked:count': 'the VMs check no sender identity',
  'job:mxprobe_ehlo_mismatch:sum': 'the VMs check no sender identity',
};

interface Vm {
  name: string;
  /** The mail server this VM probes on 25 and 587: its own loopback address. */
  address: string;
  /** Ports on which that mail server greets; the others refuse. */
  greets: number[];
  /** Whether the relay is reachable from this VM. */
  relayReachable: boolean;
  metadata: 'azure' | 'aws' | 'gcp';
}

const VMS: Vm[] = [
  {
    name: 'vm-azure',
    address: '127.0.0.81',
    greets: [25, 587],
    relayReachable: true,
    metadata: 'azure',
  },
  { name: 'vm-aws', address: '127.0.0.82', greets: [587], relayReachable: true, metadata: 'aws' },
  { name: 'vm-gcp', address: '127.0.0.83', greets: [], relayReachable: false, metadata: 'gcp' },
];

const dir = mkdtempSync(join(tmpdir(), 'mxprobe-fleet-'));
const mailServers: Loopback[] = [];
const fakes = new Map<Vm['metadata'], FakeServer>();
const daemons: DaemonProcess[] = [];
const instances = new Map<string, string>();
let relay: Listening | undefined;
let prometheus: PrometheusServer | undefined;

/** The samples of a query keyed by the values of `labels` ("a/b"), values rounded to 3 places. */
async function valuesBy(promql: string, labels: string[]): Promise<Record<string, number>> {
  const values: Record<string, number> = {};
  for (const { metric, value } of await prometheus!.query(promql)) {
    values[labels.map((name) => metric[name] ?? '').join('/')] =
      Math.round(Number(value[1]) * 1000) / 1000;
  }
  return values;
}

/** Waits until the query's values (by `labels`) equal `expected`, then asserts it. */
async function expectValues(
  promql: string,
  labels: string[],
  expected: Record<string, number>,
): Promise<void> {
  const actual = await eventually(
    () => valuesBy(promql, labels),
    (values) => isDeepStrictEqual(values, expected),
    30_000,
  ).catch(() => valuesBy(promql, labels));
  expect(actual, promql).toEqual(expected);
}

function recordNames(): string[] {
  const file = parse(readFileSync(RECORDING_FILE, 'utf8')) as {
    groups: { rules: { record: string }[] }[];
  };
  return file.groups.flatMap((group) => group.rules.map((rule) => rule.record));
}

function writeVmConfig(vm: Vm, listenPort: number, relayPort: number): string {
  const metadata = fakes.get(vm.metadata)!.base;
  const file = join(dir, `${vm.name}.yaml`);
  writeFileSync(
    file,
    [
      'interval: 1s',
      `listen: "127.0.0.1:${listenPort}"`,
      'connectTimeout: 1s',
      'greetingTimeout: 5s',
      'targets:',
      `  - host: ${vm.address}`,
      '    ports: [25, 587]',
      'relays:',
      '  - name: hub',
      '    host: 127.0.0.1',
      `    port: ${relayPort}`,
      '    secure: starttls',
      '    username: fleet',
      `    passwordFile: ${join(dir, 'relay-secret')}`,
      // Each VM's three metadata URLs point at its own cloud's fake; the other two clouds'
      // questions get 4xx there. No DMI tag: the machine running the test may be on Azure.
      'cloudDetection:',
      `  azureUrl: ${metadata}/metadata/instance`,
      `  awsUrl: ${metadata}`,
      `  gcpUrl: ${metadata}`,
      `  dmiAssetTagPath: ${join(dir, 'no-such-asset-tag')}`,
      '  timeout: 2s',
      '',
    ].join('\n'),
  );
  return file;
}

beforeAll(async () => {
  for (const vm of VMS) {
    for (const port of vm.greets) {
      mailServers.push(
        await realSmtpServer({ host: vm.address, port }).catch((error: unknown) => {
          throw new Error(`cannot listen on ${vm.address}:${port} (this test needs root)`, {
            cause: error,
          });
        }),
      );
    }
  }
  relay = await startSmtpServer({
    ...testCert(),
    authMethods: ['PLAIN', 'LOGIN'],
    onAuth(auth, _session, callback) {
      if (auth.username === 'fleet' && auth.password === PASSWORD)
        callback(null, { user: 'fleet' });
      else callback(new Error('Invalid username or password'));
    },
  });
  const unreachableRelay = await closedPort();
  fakes.set('azure', await startFake(azureImds));
  fakes.set('aws', await startFake(awsImdsV2));
  fakes.set('gcp', await startFake(gcpMetadata({ flavorHeader: true })));
  writeFileSync(join(dir, 'relay-secret'), `${PASSWORD}\n`);
  const caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, testCert().cert);

  for (const vm of VMS) {
    const port = await freePort();
    instances.set(vm.name, `127.0.0.1:${port}`);
    const config = writeVmConfig(vm, port, vm.relayReachable ? relay.port : unreachableRelay);
    daemons.push(
      spawnDaemon(['--config', config, '--min-interval', '1s'], {
        cloudDetection: true,
        env: { NODE_EXTRA_CA_CERTS: caFile },
      }),
    );
  }
  await Promise.all(daemons.map((d) => d.waitFor((e) => e.msg === 'probe cycle finished')));

  prometheus = await startPrometheus(
    dir,
    [
      'global: { scrape_interval: 1s, evaluation_interval: 1s }',
      `rule_files: ["${ALERTS_FILE}", "${RECORDING_FILE}"]`,
      'scrape_configs:',
      '  - job_name: mxprobe',
      `    static_configs: [{ targets: [${[...instances.values()].map((i) => `"${i}"`).join(', ')}] }]`,
      '',
    ].join('\n'),
  );
}, 90_000);

afterAll(async () => {
  await Promise.all([...daemons.map((d) => d.stop()), prometheus?.stop()]);
  await Promise.all([
    ...mailServers.map((s) => s.close()),
    ...[...fakes.values()].map((f) => f.close()),
    relay?.close(),
  ]);
  rmSync(dir, { recursive: true, force: true });
}, 30_000);

describe('Prometheus over three daemons with the fleet rules', () => {
  it('evaluates every rule without an error once all three VMs report', async () => {
    // Rules over no data never fail: first let every VM be scraped, then look at evaluations
    // that came after that.
    const reporting = await eventually(
      () => valuesBy('count(mxprobe_environment_info)', []),
      (values) => values[''] === VMS.length,
    );
    expect(reporting).toEqual({ '': VMS.length });
    const since = Date.now();
    type Rule = { name: string; health: string; lastError?: string; type: string };
    type Group = { rules: (Rule & { lastEvaluation: string })[] };
    const rules = await eventually(
      async () =>
        (await prometheus!.api<{ groups: Group[] }>('/api/v1/rules')).groups.flatMap(
          (g) => g.rules,
        ),
      (list) => list.length > 0 && list.every((r) => Date.parse(r.lastEvaluation) > since),
    );
    expect(rules.every((r) => Date.parse(r.lastEvaluation) > since)).toBe(true);
    expect(
      rules.filter((r) => r.health !== 'ok').map((r) => `${r.name}: ${r.lastError ?? r.health}`),
    ).toEqual([]);
    expect(rules.filter((r) => r.type === 'recording').map((r) => r.name)).toEqual(recordNames());
  });

  it('every recording rule yields at least one series, but those this fleet has nothing for', async () => {
    const expected = recordNames().filter((name) => NO_SERIES_IN_THIS_FLEET[name] === undefined);
    expect(expected.length).toBeGreaterThan(5);
    for (const name of Object.keys(NO_SERIES_IN_THIS_FLEET)) {
      expect(recordNames(), name).toContain(name);
      expect(await prometheus!.query(name), name).toEqual([]);
    }
    for (const name of expected) {
      const series = await eventually(
        () => prometheus!.query(name),
        (result) => result.length > 0,
      );
      expect(series.length, name).toBeGreaterThan(0);
    }
  });

  it('counts the VMs by diagnosis: one ok, one port25-blocked, one egress-blocked', async () => {
    await expectValues('job_code:mxprobe_diagnosis:sum > 0', ['job', 'code'], {
      'mxprobe/ok': 1,
      'mxprobe/port25-blocked': 1,
      'mxprobe/egress-blocked': 1,
    });
    // The codes no VM has are there, at 0.
    await expectValues(
      'job_code:mxprobe_diagnosis:sum{code=~"partial|dns-failed"}',
      ['job', 'code'],
      { 'mxprobe/partial': 0, 'mxprobe/dns-failed': 0 },
    );
  });

  it('counts them by cloud and region, from their metadata services', async () => {
    await expectValues(
      'job_cloud_region_code:mxprobe_diagnosis:sum > 0',
      ['cloud', 'region', 'code'],
      {
        'azure/westeurope/ok': 1,
        'aws/eu-central-1/port25-blocked': 1,
        'gcp/europe-west1/egress-blocked': 1,
      },
    );
    await expectValues(
      'job_cloud_region_zone:mxprobe_environment_info:count',
      ['cloud', 'region', 'zone'],
      { 'azure/westeurope/': 1, 'aws/eu-central-1/': 1, 'gcp/europe-west1/europe-west1-b': 1 },
    );
  });

  it('counts the ports: 25 open on one VM of three, 587 on two', async () => {
    await expectValues('job_port_status:mxprobe_port_status:sum > 0', ['port', 'status'], {
      '25/open': 1,
      '25/blocked': 2,
      '587/open': 2,
      '587/blocked': 1,
    });
    await expectValues('job_port:mxprobe_port_open:ratio', ['port'], {
      '25': 0.333,
      '587': 0.667,
    });
  });

  it('sees the relay verified from two VMs of the three checking it', async () => {
    await expectValues('job_relay:mxprobe_relay_up:sum', ['relay'], { hub: 2 });
    await expectValues('job_relay:mxprobe_relay_up:count', ['relay'], { hub: 3 });
  });

  it('has no stale loop and, before any egress check, 0 of 0 egress addresses', async () => {
    await expectValues('job:mxprobe_cycle_stale:sum', ['job'], { mxprobe: 0 });
    for (const name of [
      'fleet:mxprobe_egress_addresses_dnsbl_checked:count',
      'fleet:mxprobe_egress_addresses_dnsbl_listed:count',
      'fleet:mxprobe_egress_addresses_ptr_checked:count',
      'fleet:mxprobe_egress_addresses_ptr_missing:count',
    ]) {
      await expectValues(name, [], { '': 0 });
    }
  });

  it('alerts on the blocked VM with its cloud and region, not on the port-25 baseline', async () => {
    type Alert = { labels: Record<string, string>; state: string };
    const alerts = await eventually(
      async () => (await prometheus!.api<{ alerts: Alert[] }>('/api/v1/alerts')).alerts,
      (list) => list.some((a) => a.labels.alertname === 'MxprobeSmtpEgressBlocked'),
    );
    expect(
      alerts
        .filter((a) => a.labels.alertname === 'MxprobeSmtpEgressBlocked')
        .map((a) => ({ state: a.state, ...a.labels })),
    ).toEqual([
      {
        state: 'pending',
        alertname: 'MxprobeSmtpEgressBlocked',
        severity: 'critical',
        job: 'mxprobe',
        instance: instances.get('vm-gcp'),
        code: 'egress-blocked',
        cloud: 'gcp',
        region: 'europe-west1',
      },
    ]);
    // vm-aws has port 25 blocked, and its target does not expect it open: no alert. The relay
    // works from two VMs: not down.
    const names = alerts.map((a) => a.labels.alertname);
    expect(names).not.toContain('MxprobePort25Blocked');
    expect(names).not.toContain('MxprobeRelayDown');
    expect(names).not.toContain('MxprobeStale');
  });

  it('fills every panel of both Grafana dashboards, but those this fleet has nothing for', async () => {
    const seen: string[] = [];
    for (const file of DASHBOARDS) {
      const dashboard = JSON.parse(readFileSync(file, 'utf8')) as {
        uid: string;
        panels: { title: string; targets: { expr: string }[] }[];
      };
      expect(dashboard.panels.length, file).toBeGreaterThan(0);
      for (const panel of dashboard.panels) {
        for (const { expr } of panel.targets) {
          const promql = expr
            .replaceAll('$job', '.*')
            .replaceAll('$instance', '.*')
            .replaceAll('$__rate_interval', '1m');
          const panelKey = `${dashboard.uid}: ${panel.title}`;
          const queryKey = `${panelKey}: ${expr}`;
          const empty = EMPTY_IN_THIS_FLEET[queryKey] ?? EMPTY_IN_THIS_FLEET[panelKey];
          // A rate needs two scrapes: ask again until the series have them.
          const result = await eventually(
            () => prometheus!.query(promql),
            (r) => (empty === undefined ? r.length > 0 : true),
            10_000,
          ).catch(() => []);
          const what = `${dashboard.uid}: ${panel.title}: ${promql}`;
          if (empty === undefined) expect.soft(result.length, what).toBeGreaterThan(0);
          // An empty panel stays on the list only while it is empty here.
          else expect.soft(result, `${what} (${empty})`).toEqual([]);
          seen.push(panelKey, queryKey);
        }
      }
    }
    expect(Object.keys(EMPTY_IN_THIS_FLEET).filter((panel) => !seen.includes(panel))).toEqual([]);
  });
});
