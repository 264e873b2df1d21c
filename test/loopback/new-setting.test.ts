// A new setting is one row in the settings table (and its field in the config type): this test
// adds a `relayTimeout` row to a copy of src/config/settings.ts and the field to a copy of
// src/config/types.ts, changes nothing else, compiles the copy, and checks that the default,
// the file's validation (one line for a bad value), check-config, --help, the flag and the
// merge of the flag over the file all know it. Loopback only; no DNS.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copySource, type SourceCopy } from '../helpers/source-copy.js';

const ROW = `
  relayTimeout: setting({
    field: 'relayTimeoutMs',
    kind: { name: 'duration', minMs: 1_000, maxMs: 60_000 },
    default: 20_000,
    help: 'give up on a relay session after this long',
    flag: {
      name: '--relay-timeout',
      arg: '<ms>',
      alias: null,
      repeatable: false,
      group: 'Targets and timing:',
    },
    inFile: true,
    scope: 'both',
    check: null,
  }),
`;

/** Reads back what the compiled copy makes of the new setting; prints one JSON document. */
const CHECK_SCRIPT = `
import { main } from './dist/src/cli/main.js';
import { defaultConfig } from './dist/src/config/default-config.js';
import { describeConfig } from './dist/src/config/describe.js';
import { parseConfig } from './dist/src/config/load.js';
import { applySettings } from './dist/src/config/merge.js';

async function run(argv) {
  let out = '';
  let err = '';
  const stream = (add) => ({ isTTY: false, write: (t) => (add(t), true) });
  const code = await main(argv, {
    stdout: stream((t) => (out += t)),
    stderr: stream((t) => (err += t)),
    env: {},
  });
  return { code, out, err };
}
const problem = (text) => {
  try { parseConfig(text, 'new.yaml'); return 'accepted'; } catch (error) { return error.message; }
};
const merged = parseConfig('relayTimeout: 30s\\ntargets: [{host: 127.0.0.1}]\\n', 'new.yaml');
const flagged = parseConfig('relayTimeout: 30s\\ntargets: [{host: 127.0.0.1}]\\n', 'new.yaml');
applySettings(flagged, { relayTimeout: 5_000 }, () => '--relay-timeout');
const help = await run(['probe', '--help']);
console.log(JSON.stringify({
  fallback: defaultConfig().relayTimeoutMs,
  fromFile: merged.relayTimeoutMs,
  checkConfig: describeConfig(merged).relayTimeout,
  badValue: problem('relayTimeout: 5\\ntargets: [{host: 127.0.0.1}]\\n'),
  outOfBounds: problem('relayTimeout: 2h\\ntargets: [{host: 127.0.0.1}]\\n'),
  help: help.out.replace(/\\s+/g, ' '),
  flagOverFile: flagged.relayTimeoutMs,
  badFlag: await run(['probe', '--once', '--relay-timeout', '2h', '--host', '127.0.0.1']),
}));
`;

const SETTINGS = 'src/config/settings.ts';
let copy: SourceCopy;

beforeAll(() => {
  copy = copySource('new-setting');
  // The whole change: the row ...
  copy.edit(
    SETTINGS,
    '\n} as const;\n\nexport type SettingId',
    `\n${ROW}} as const;\n\nexport type SettingId`,
  );
  // ... and the field in the config type.
  copy.edit(
    'src/config/types.ts',
    '  connectTimeoutMs: number;\n',
    '  connectTimeoutMs: number;\n  relayTimeoutMs: number;\n',
  );
}, 60_000);

afterAll(() => copy?.remove());

describe('a new setting: one row in the settings table', () => {
  it('compiles with nothing else changed, and the defaults, validation, check-config, --help and the flag know it', () => {
    // A type error anywhere (a row lacking a piece, a field without a row) fails here.
    copy.compile();
    const out = copy.run(CHECK_SCRIPT) as ReturnType<typeof JSON.parse>;
    expect(out.fallback).toBe(20_000);
    expect(out.fromFile).toBe(30_000);
    expect(out.checkConfig).toBe('30s');
    expect(out.badValue).toBe(
      'new.yaml:1: relayTimeout: expected a duration such as "1500ms", "10s" or "5m", got 5',
    );
    expect(out.outOfBounds).toBe(
      'new.yaml:1: relayTimeout: expected a duration from 1s to 1m, got "2h"',
    );
    expect(out.help).toContain(
      ' --relay-timeout <ms> give up on a relay session after this long (default 20s; 1s to 1m) ',
    );
    expect(out.flagOverFile).toBe(5_000);
    expect(out.badFlag.code).toBe(2);
    expect(out.badFlag.err).toBe(
      "mxprobe: option '--relay-timeout <ms>' argument '2h' is invalid. --relay-timeout expects a duration from 1s to 1m.\n",
    );
  }, 90_000);

  it('a row whose kind does not fit its field does not compile', () => {
    const good = readFileSync(join(copy.dir, SETTINGS), 'utf8');
    copy.edit(
      SETTINGS,
      "field: 'relayTimeoutMs',\n    kind: { name: 'duration', minMs: 1_000, maxMs: 60_000 },",
      "field: 'relayTimeoutMs',\n    kind: { name: 'family' },",
    );
    let output = 'compiled';
    try {
      copy.compile();
    } catch (error) {
      output = String((error as { stdout?: Buffer }).stdout);
    } finally {
      copy.write(SETTINGS, good);
    }
    expect(output).toMatch(/src\/config\/settings\.ts\(\d+,\d+\): error TS/);
  }, 180_000);
});
