// The settings table is the one place a setting is written: the defaults, check-config and the
// file's keys are read from it; the exit status is decided in one module; and the papercuts
// that came from keeping a setting in ten places are gone.
import { describe, expect, it } from 'vitest';
import { exitStatus, type Outcome } from '../../../src/cli/exit-status.js';
import { resolveListenAddress } from '../../../src/cli/listen-address.js';
import { defaultConfig } from '../../../src/config/default-config.js';
import { describeConfig } from '../../../src/config/describe.js';
import { ConfigError } from '../../../src/config/error.js';
import { groupKeys, parseConfig, topLevelKeys } from '../../../src/config/load.js';
import { applySettings } from '../../../src/config/merge.js';
import { fileValue, readField, SETTINGS, settingRows } from '../../../src/config/settings.js';
import { countOf } from '../../../src/util/words.js';

function problemOf(text: string, file = 'typo.yaml'): string {
  try {
    parseConfig(text, file);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error('the config was accepted');
}

describe('the settings table', () => {
  const rows = settingRows();

  it('gives the defaults: every row default is in the default config', () => {
    expect(rows.length).toBeGreaterThan(10);
    const config = defaultConfig();
    for (const [, row] of rows) expect(readField(config, row.field)).toEqual(row.default);
  });

  it('gives check-config: every row a file may set is printed under its key, as a file spells it', () => {
    const config = parseConfig('splay: 2s\ntargets: [{host: 192.0.2.1}]\n', 'a.yaml');
    const described = describeConfig(config);
    const fileRows = rows.filter(([, row]) => row.inFile);
    expect(fileRows.length).toBeGreaterThan(10);
    for (const [id, row] of fileRows) {
      const [first = '', key] = id.split('.');
      const shown = key === undefined ? described[first] : (described[first] as never)[key];
      expect(shown, id).toEqual(fileValue(row.kind, readField(config, row.field)));
    }
    expect(described.connectTimeout).toBe('1500ms');
  });

  it('gives the keys of the file, and check-config output reads back as the same config', () => {
    expect(topLevelKeys()).toContain('connectTimeout');
    expect(topLevelKeys()).not.toContain('minInterval');
    expect(groupKeys('reputation')).toEqual(['dnsbl', 'egressAddresses']);
    const config = parseConfig(
      'interval: 2m\nsplay: 30s\nreputation: {dnsbl: []}\nmetrics: {runtime: false}\ntargets: [{host: 192.0.2.1}]\n',
      'a.yaml',
    );
    // JSON is YAML: the printed config is a config file. (The listen address remembers where
    // it was read.)
    const again = parseConfig(JSON.stringify(describeConfig(config)), 'b.yaml');
    expect({ ...again, listen: { ...again.listen, origin: '' } }).toEqual({
      ...config,
      listen: { ...config.listen, origin: '' },
    });
  });

  it('merges flags over the file in table order, and checks them against the others', () => {
    const config = defaultConfig();
    const problems = applySettings(
      config,
      { connectTimeout: 2_000, interval: 5_000, 'cloudDetection.enabled': false },
      (id) => `--${id}`,
    );
    expect(config.connectTimeoutMs).toBe(2_000);
    expect(config.cloud.enabled).toBe(false);
    expect(problems).toEqual([
      '--interval expects at least 1m (the floor that keeps mxprobe from hammering mail providers), got 5s',
    ]);
    expect(SETTINGS.interval.scope).toBe('daemon');
  });
});

describe('a key whose value is a block is reported on its own line', () => {
  it.each([
    ['a mapping', 'targets: [{host: 192.0.2.1}]\ntargest:\n  - host: 192.0.2.2\n', 2],
    [
      'a list under a mapping',
      'targets: [{host: 192.0.2.1}]\ncloudDetection:\n  enable:\n    - x\n',
      3,
    ],
    ['a flow value', 'targets: [{host: 192.0.2.1}]\ntargest: [1]\n', 2],
  ])('%s', (_what, text, line) => {
    expect(problemOf(text)).toMatch(new RegExp(`^typo\\.yaml:${line}: \\S+: unknown key`));
  });
});

describe('counts in words', () => {
  it.each([
    [0, 'relay', 'no relays'],
    [1, 'target', '1 target'],
    [2, 'target', '2 targets'],
    [1, 'basic auth user', '1 basic auth user'],
  ])('%i %s → %s', (n, word, words) => {
    expect(countOf(n, word)).toBe(words);
  });
});

describe('a listen address with a host name', () => {
  const origin = '--web.listen-address';
  const noLookup = (): Promise<{ address: string }> => {
    throw new Error('no lookup expected');
  };

  it('localhost is the IPv4 loopback, asked of no resolver (RFC 6761)', async () => {
    const listen = { host: 'localhost', port: 9725, text: 'localhost:9725', origin };
    expect(await resolveListenAddress(listen, noLookup)).toEqual({ ...listen, host: '127.0.0.1' });
  });

  it('an IP address is kept as it is', async () => {
    const listen = { host: '::1', port: 9725, text: '[::1]:9725', origin };
    expect(await resolveListenAddress(listen, noLookup)).toBe(listen);
  });

  it('another name is looked up once; a name that does not resolve is one line', async () => {
    const listen = { host: 'metrics.example', port: 9725, text: 'metrics.example:9725', origin };
    const asked: string[] = [];
    const lookup = (name: string): Promise<{ address: string }> => {
      asked.push(name);
      return Promise.resolve({ address: '192.0.2.9' });
    };
    expect((await resolveListenAddress(listen, lookup)).host).toBe('192.0.2.9');
    expect(asked).toEqual(['metrics.example']);
    const failing = (): Promise<{ address: string }> =>
      Promise.reject(Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' }));
    await expect(resolveListenAddress(listen, failing)).rejects.toThrow(
      /^--web\.listen-address metrics\.example:9725: cannot resolve metrics\.example: /,
    );
  });
});

describe('the exit status (CONTRACT §5), decided in one place', () => {
  const report = (statuses: ('open' | 'blocked' | 'unknown')[]): Outcome => ({
    kind: 'report',
    report: {
      diagnosis: { code: 'ok', summary: '', advice: [], hints: [] },
      ports: statuses.map((status, i) => ({
        port: 25 + i,
        status,
        reachable: 0,
        blocked: 0,
        filtered: 0,
      })),
    },
  });
  it.each<[string, Outcome, number]>([
    ['help, version, a valid config, a daemon stopped', { kind: 'done' }, 0],
    ['every probed port open', report(['open', 'unknown']), 0],
    ['a port not open', report(['open', 'blocked']), 1],
    ['no port probed', report(['unknown']), 1],
    ['a usage or config error', { kind: 'refused' }, 2],
    ['nothing could be probed', { kind: 'nothing-probed' }, 3],
    ['a fault of mxprobe', { kind: 'internal-error' }, 70],
  ])('%s → %i', (_what, outcome, status) => {
    expect(exitStatus(outcome)).toBe(status);
  });
});
