// A new cloud is one module file plus its line in the registry: this test writes a module for
// a made-up platform, Example Cloud, into a copy of src/, adds it to the registry and nothing
// else, compiles the copy, and checks that detection, the config keys, check-config, the
// advice, the port policy and the metrics all know it — and that every shipped module is known
// the same way. Everything runs on loopback; no default metadata URL is ever asked (the
// firmware of this machine names no platform).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copySource, type SourceCopy } from '../helpers/source-copy.js';

const EXAMPLE_MODULE = `
import { defineCloud, inParentheses } from './cloud.js';
import { getJson, joinUrl, stringField } from './metadata.js';

export interface ExampleFacts {
  region: string | null;
  zone: string | null;
}

export const examplecloud = defineCloud({
  id: 'examplecloud',
  name: 'Example Cloud',
  dmiSignature: /^ExampleCloud$/m,
  defaultMetadataUrl: 'http://169.254.169.254/example/v1',
  async queryMetadata(baseUrl, ctx): Promise<ExampleFacts | null> {
    const url = joinUrl(baseUrl, '/instance');
    if (url === null) return null;
    const body = await getJson(url, { 'Example-Metadata': 'yes' }, ctx);
    const region = stringField(body, 'region');
    return region === null ? null : { region, zone: stringField(body, 'zone') };
  },
  portPolicy: {
    blockedPorts: [25, 465],
    who: 'new accounts',
    exemption: 'ask support.',
    source: 'https://example.com/docs/smtp',
  },
  port25Advice: (facts) => [
    \`This VM runs in Example Cloud\${inParentheses([facts?.region])}: ask support to lift the port 25 limit.\`,
  ],
  identifierFields: [],
  metricLabelNames: ['region'],
  metricLabels: (facts) => (facts?.region ? { region: facts.region } : {}),
});
`;

/** Reads back what the compiled copy makes of Oracle; prints one JSON document. */
const CHECK_SCRIPT = `
import http from 'node:http';
import { cloudAdvice } from './dist/src/clouds/advice.js';
import { detectCloud, servicesToAsk } from './dist/src/clouds/detect.js';
import { defaultCloudDetection } from './dist/src/config/default-config.js';
import { describeConfig } from './dist/src/config/describe.js';
import { parseConfig } from './dist/src/config/load.js';
import { Metrics } from './dist/src/report/metrics.js';
import { REGISTERED_CLOUDS } from './dist/src/clouds/registry.js';
import { cloudPolicy } from './dist/src/clouds/policy.js';

const server = http.createServer((request, response) => {
  const ok = request.url === '/example/v1/instance' && request.headers['example-metadata'] === 'yes';
  response.writeHead(ok ? 200 : 404, { 'content-type': 'application/json' });
  response.end(ok ? JSON.stringify({ region: 'north-1', zone: 'north-1a' }) : '{}');
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = 'http://127.0.0.1:' + server.address().port + '/example/v1';
const config = parseConfig(
  'cloudDetection:\\n  examplecloudUrl: ' + base + '\\n  timeout: 2s\\n  dmiAssetTagPath: /nonexistent/chassis_asset_tag\\ntargets: [{host: 127.0.0.1}]\\n',
  'example.yaml',
);
const detected = await detectCloud(config.cloud);
server.close();
const environment = { ...detected, hostname: 'vm', families: { 4: 'ok' }, policy: cloudPolicy(detected) };
const metrics = new Metrics({ version: '0.0.0', nodejs: 'v20', processMetrics: false });
metrics.record({
  schemaVersion: 1, startedAt: new Date().toISOString(), durationMs: 1, environment,
  targets: [], attempts: [], ports: [], relays: [], egress: { addresses: [] },
  diagnosis: { code: 'dns-failed', summary: '', advice: [], hints: [] },
}, new Date());
let unknownKey;
try { parseConfig('cloudDetection:\\n  examplecloudURL: x\\ntargets: [{host: 127.0.0.1}]\\n', 'typo.yaml'); } catch (error) { unknownKey = error.message; }
console.log(JSON.stringify({
  askedByFirmware: servicesToAsk(defaultCloudDetection(), 'ExampleCloud').examplecloud,
  notAskedOtherwise: servicesToAsk(defaultCloudDetection(), 'QEMU').examplecloud,
  everyModuleHasAKey: REGISTERED_CLOUDS.map((c) => c.id + 'Url' in describeConfig(config).cloudDetection),
  registered: REGISTERED_CLOUDS.map((c) => c.id),
  policy: environment.policy,
  checkConfig: describeConfig(config).cloudDetection,
  detected,
  advice: cloudAdvice(environment),
  info: (await metrics.render('prometheus')).body.split('\\n').filter((l) => l.startsWith('mxprobe_environment_info') || l.startsWith('mxprobe_port_policy_blocked{')),
  unknownKey,
}));
`;

let copy: SourceCopy;

beforeAll(() => {
  copy = copySource('new-cloud');
  // The whole change: one new file ...
  copy.write('src/clouds/examplecloud.ts', EXAMPLE_MODULE);
  // ... and its line in the registry (its import and its entry in the list).
  copy.edit(
    'src/clouds/registry.ts',
    "import { gcp } from './gcp.js';",
    "import { gcp } from './gcp.js';\nimport { examplecloud } from './examplecloud.js';",
  );
  copy.edit(
    'src/clouds/registry.ts',
    '  openstack,\n] as const;',
    '  examplecloud,\n  openstack,\n] as const;',
  );
}, 60_000);

afterAll(() => copy?.remove());

describe('a new cloud: one module and its registry line', () => {
  it('compiles with nothing else changed, and every part of mxprobe knows it', () => {
    // A type error anywhere (the report's environment, a switch that misses the cloud) fails here.
    copy.compile();
    const out = copy.run(CHECK_SCRIPT) as ReturnType<typeof JSON.parse>;
    expect(out.askedByFirmware).toBe('http://169.254.169.254/example/v1');
    expect(out.notAskedOtherwise).toBe('');
    expect(out.checkConfig).toMatchObject({
      examplecloudUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/example\/v1$/),
    });
    expect(out.detected).toEqual({
      cloud: 'examplecloud',
      examplecloud: { region: 'north-1', zone: 'north-1a' },
    });
    expect(out.advice).toEqual([
      'This VM runs in Example Cloud (north-1): ask support to lift the port 25 limit.',
    ]);
    expect(out.policy).toMatchObject({ blockedPorts: [25, 465], who: 'new accounts' });
    expect(out.info).toEqual([
      'mxprobe_environment_info{cloud="examplecloud",region="north-1"} 1',
      'mxprobe_port_policy_blocked{port="25"} 1',
      'mxprobe_port_policy_blocked{port="465"} 1',
    ]);
    // Every shipped module, and the new one before the generic OpenStack, has its config key.
    const registered = out.registered as string[];
    expect(registered).toHaveLength(13);
    expect(registered.at(-1)).toBe('openstack');
    expect(out.everyModuleHasAKey).toEqual(registered.map(() => true));
    expect(out.unknownKey).toContain(
      'expected one of enabled, timeout, dmiAssetTagPath, azureUrl, awsUrl, gcpUrl, oracleUrl',
    );
    expect(out.unknownKey).toContain('upcloudUrl, examplecloudUrl, openstackUrl');
  }, 90_000);
});
