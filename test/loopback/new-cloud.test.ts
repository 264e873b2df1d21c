// A new cloud is one module file plus its line in the registry: this test writes an Oracle
// Cloud module into a copy of src/, adds it to the registry and nothing else, compiles the
// copy, and checks that detection, the config keys, check-config, the advice and the
// environment metric all know Oracle. Everything runs on loopback; the module's default
// metadata URL is never asked (the firmware of this machine does not name Oracle).

import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO = join(import.meta.dirname, '../..');

const ORACLE_MODULE = `
import { defineCloud, inParentheses } from './cloud.js';
import { getJson, joinUrl, stringField } from './metadata.js';

export interface OracleFacts {
  region: string | null;
  availabilityDomain: string | null;
}

export const oracle = defineCloud({
  id: 'oracle',
  name: 'Oracle Cloud Infrastructure',
  dmiSignature: /oraclecloud/i,
  defaultMetadataUrl: 'http://169.254.169.254/opc/v2',
  async queryMetadata(baseUrl, ctx): Promise<OracleFacts | null> {
    const url = joinUrl(baseUrl, '/instance/');
    if (url === null) return null;
    const body = await getJson(url, { Authorization: 'Bearer Oracle' }, ctx);
    const region = stringField(body, 'canonicalRegionName');
    return region === null ? null : { region, availabilityDomain: stringField(body, 'availabilityDomain') };
  },
  port25Advice: (facts) => [
    \`This VM runs in Oracle Cloud Infrastructure\${inParentheses([facts?.region])}: ask Oracle to lift the port 25 limit, or use its Email Delivery relay on 587.\`,
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

const server = http.createServer((request, response) => {
  const ok = request.url === '/opc/v2/instance/' && request.headers.authorization === 'Bearer Oracle';
  response.writeHead(ok ? 200 : 404, { 'content-type': 'application/json' });
  response.end(ok ? JSON.stringify({ canonicalRegionName: 'eu-frankfurt-1', availabilityDomain: 'AD-1' }) : '{}');
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = 'http://127.0.0.1:' + server.address().port + '/opc/v2';
const config = parseConfig(
  'cloudDetection:\\n  oracleUrl: ' + base + '\\n  timeout: 2s\\n  dmiAssetTagPath: /nonexistent/chassis_asset_tag\\ntargets: [{host: 127.0.0.1}]\\n',
  'oracle.yaml',
);
const detected = await detectCloud(config.cloud);
server.close();
const environment = { ...detected, hostname: 'vm', families: { 4: 'ok' } };
const metrics = new Metrics({ version: '0.0.0', nodejs: 'v20', processMetrics: false });
metrics.record({
  schemaVersion: 1, startedAt: new Date().toISOString(), durationMs: 1, environment,
  targets: [], attempts: [], ports: [], relays: [], egress: { addresses: [] },
  diagnosis: { code: 'dns-failed', summary: '', advice: [], hints: [] },
}, new Date());
let unknownKey;
try { parseConfig('cloudDetection:\\n  oracleURL: x\\ntargets: [{host: 127.0.0.1}]\\n', 'typo.yaml'); } catch (error) { unknownKey = error.message; }
console.log(JSON.stringify({
  askedByFirmware: servicesToAsk(defaultCloudDetection(), 'OracleCloud.com').oracle,
  notAskedOtherwise: servicesToAsk(defaultCloudDetection(), 'QEMU').oracle,
  checkConfig: describeConfig(config).cloudDetection,
  detected,
  advice: cloudAdvice(environment),
  info: (await metrics.render('prometheus')).body.split('\\n').filter((l) => l.startsWith('mxprobe_environment_info')),
  unknownKey,
}));
`;

let scratch: string;

beforeAll(() => {
  // Under node_modules so that the copy resolves the project's packages as src/ does.
  const cache = join(REPO, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  scratch = mkdtempSync(join(cache, 'mxprobe-new-cloud-'));
  cpSync(join(REPO, 'src'), join(scratch, 'src'), { recursive: true });
  cpSync(join(REPO, 'package.json'), join(scratch, 'package.json'));
  // The whole change: one new file ...
  writeFileSync(join(scratch, 'src/clouds/oracle.ts'), ORACLE_MODULE);
  // ... and Oracle's line in the registry (its import and its entry in the list).
  const registry = join(scratch, 'src/clouds/registry.ts');
  const text = readFileSync(registry, 'utf8');
  const changed = text
    .replace(
      "import { gcp } from './gcp.js';",
      "import { gcp } from './gcp.js';\nimport { oracle } from './oracle.js';",
    )
    .replace(
      'export const CLOUDS = [azure, aws, gcp] as const;',
      'export const CLOUDS = [azure, aws, gcp, oracle] as const;',
    );
  expect(changed).not.toBe(text);
  writeFileSync(registry, changed);
  writeFileSync(
    join(scratch, 'tsconfig.json'),
    JSON.stringify({
      extends: join(REPO, 'tsconfig.json'),
      compilerOptions: { noEmit: false, outDir: 'dist', rootDir: '.' },
      include: ['src'],
    }),
  );
  writeFileSync(join(scratch, 'check.mjs'), CHECK_SCRIPT);
}, 60_000);

afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe('a new cloud: one module and its registry line', () => {
  it('compiles with nothing else changed, and every part of mxprobe knows it', () => {
    // A type error anywhere (the report's environment, a switch that misses the cloud) fails here.
    execFileSync(join(REPO, 'node_modules/.bin/tsc'), ['-p', join(scratch, 'tsconfig.json')], {
      stdio: 'pipe',
    });
    const out = JSON.parse(
      execFileSync(process.execPath, ['check.mjs'], { cwd: scratch, encoding: 'utf8' }),
    );
    expect(out.askedByFirmware).toBe('http://169.254.169.254/opc/v2');
    expect(out.notAskedOtherwise).toBe('');
    expect(out.checkConfig).toMatchObject({
      oracleUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/opc\/v2$/),
    });
    expect(out.detected).toEqual({
      cloud: 'oracle',
      oracle: { region: 'eu-frankfurt-1', availabilityDomain: 'AD-1' },
    });
    expect(out.advice).toEqual([
      'This VM runs in Oracle Cloud Infrastructure (eu-frankfurt-1): ask Oracle to lift the port 25 limit, or use its Email Delivery relay on 587.',
    ]);
    expect(out.info).toEqual([
      'mxprobe_environment_info{cloud="oracle",region="eu-frankfurt-1"} 1',
    ]);
    expect(out.unknownKey).toContain(
      'expected one of enabled, timeout, dmiAssetTagPath, azureUrl, awsUrl, gcpUrl, oracleUrl',
    );
  }, 90_000);
});
