import { describe, expect, it } from 'vitest';
import { readCanaries } from '../../../src/config/canaries.js';
import { describeConfig } from '../../../src/config/describe.js';
import { parseConfig } from '../../../src/config/load.js';
import { preflight } from '../../../src/config/preflight.js';
import { formatPath, Validator } from '../../../src/config/validator.js';
import type { RelaySpec } from '../../../src/types.js';

const RELAYS: RelaySpec[] = [
  { name: 'sendgrid', host: 'smtp.example.com', port: 587, secure: 'starttls' },
];
const IMAP = {
  host: 'imap.example.net',
  username: 'canary@example.net',
  passwordFile: '/etc/mxprobe/imap',
};
const GOOD = {
  name: 'ops-inbox',
  relay: 'sendgrid',
  from: 'canary@example.com',
  to: 'canary@example.net',
  imap: IMAP,
};

function read(value: unknown, minIntervalMs?: number) {
  const problems: string[] = [];
  const v = new Validator(problems, (path) => `mxprobe.yaml: ${formatPath(path)}`);
  const canaries = readCanaries(v, value, ['canaries'], {
    relays: RELAYS,
    ...(minIntervalMs === undefined ? {} : { minIntervalMs }),
  });
  return { canaries, problems };
}

describe('canaries: in the config', () => {
  it('a minimal canary gets the defaults: IMAP over TLS on 993, timeout 5m, interval 1h', () => {
    const { canaries, problems } = read([GOOD]);
    expect(problems).toEqual([]);
    expect(canaries).toEqual([
      {
        ...GOOD,
        imap: { ...IMAP, port: 993, secure: 'tls' },
        timeoutMs: 300_000,
        intervalMs: 3_600_000,
      },
    ]);
  });

  it.each<[string, unknown, string]>([
    [
      'an interval under the floor',
      { ...GOOD, interval: '5m' },
      'mxprobe.yaml: canaries[0].interval: expected at least 15m (each run sends a real message; the floor is 15m), got "5m"',
    ],
    [
      'a timeout under 5s',
      { ...GOOD, timeout: '1s' },
      'mxprobe.yaml: canaries[0].timeout: expected a duration from 5s to 1h, got "1s"',
    ],
    [
      'a timeout over 1h',
      { ...GOOD, timeout: '2h' },
      'mxprobe.yaml: canaries[0].timeout: expected a duration from 5s to 1h, got "2h"',
    ],
    [
      'a relay that is not configured',
      { ...GOOD, relay: 'acs' },
      'mxprobe.yaml: canaries[0].relay: no relay is named "acs"; configured: sendgrid',
    ],
    [
      'no password for IMAP',
      { ...GOOD, imap: { host: 'imap.example.net', username: 'u' } },
      'mxprobe.yaml: canaries[0].imap: no password: give passwordFile: or passwordEnv:',
    ],
    [
      'both password sources',
      { ...GOOD, imap: { ...IMAP, passwordEnv: 'X' } },
      'mxprobe.yaml: canaries[0].imap: give either passwordFile: or passwordEnv:, not both',
    ],
    [
      'an unknown key',
      { ...GOOD, subject: 'x' },
      'mxprobe.yaml: canaries[0].subject: unknown key; expected one of name, relay, from, to, imap, timeout, interval',
    ],
    [
      'an IMAP security that does not exist',
      { ...GOOD, imap: { ...IMAP, secure: 'ssl' } },
      'mxprobe.yaml: canaries[0].imap.secure: expected tls, starttls or none, got "ssl"',
    ],
    [
      'a to: that is no address',
      { ...GOOD, to: 'canary' },
      'mxprobe.yaml: canaries[0].to: expected a mail address such as canary@example.net, got "canary"',
    ],
    [
      'a name that cannot be a label',
      { ...GOOD, name: 'ops inbox' },
      'mxprobe.yaml: canaries[0].name: expected a name of letters, digits, ".", "_" or "-", got "ops inbox"',
    ],
  ])('%s: one line naming the field', (_name, entry, message) => {
    const { problems } = read([entry]);
    expect(problems).toEqual([message]);
  });

  it('a mapping where the list belongs', () => {
    expect(read(GOOD).problems).toEqual([
      'mxprobe.yaml: canaries: expected a list of canaries, got a mapping',
    ]);
  });

  it('two canaries with one name', () => {
    const { problems } = read([GOOD, { ...GOOD, to: 'other@example.net' }]);
    expect(problems).toEqual(['mxprobe.yaml: canaries[1].name: duplicate canary name "ops-inbox"']);
  });

  it('a test floor lowers the interval floor, as --min-interval does for the daemon', () => {
    const { canaries, problems } = read([{ ...GOOD, interval: '2s', timeout: '5s' }], 1_000);
    expect(problems).toEqual([]);
    expect(canaries[0]?.intervalMs).toBe(2_000);
  });
});

describe('canaries: in a config file', () => {
  const yaml = (canary: string): string =>
    [
      'targets:',
      '  - host: 127.0.0.1',
      'relays:',
      '  - { name: sendgrid, host: 127.0.0.1, port: 2525, secure: none }',
      'canaries:',
      canary,
      '',
    ].join('\n');
  const CANARY =
    '  - { name: ops-inbox, relay: sendgrid, from: a@example.com, to: b@example.net, imap: { host: 127.0.0.1, username: b, passwordEnv: MXPROBE_TEST_IMAP }, interval: 30m }';

  it('is read beside the relays it names, printed by check-config without a password', async () => {
    const config = parseConfig(yaml(CANARY), 'mxprobe.yaml');
    expect(config.canaries.map((c) => [c.name, c.relay, c.intervalMs])).toEqual([
      ['ops-inbox', 'sendgrid', 1_800_000],
    ]);
    expect(describeConfig(config).canaries).toEqual([
      expect.objectContaining({ name: 'ops-inbox', interval: '30m', timeout: '5m' }),
    ]);
    await expect(preflight(config, 'mxprobe.yaml', {})).rejects.toThrow(
      'mxprobe.yaml: canaries[0] (ops-inbox).imap: environment variable MXPROBE_TEST_IMAP is not set or empty',
    );
    const ok = await preflight(config, 'mxprobe.yaml', { MXPROBE_TEST_IMAP: 'x' });
    expect(ok.config.canaries).toHaveLength(1);
  });

  it('names the file and line of a mistake; --min-interval lowers the floor', () => {
    const short = CANARY.replace('30m', '1m');
    expect(() => parseConfig(yaml(short), 'mxprobe.yaml')).toThrow(
      /^mxprobe\.yaml:6: canaries\[0\]\.interval: expected at least 15m/,
    );
    expect(
      parseConfig(yaml(short), 'mxprobe.yaml', { minIntervalMs: 1_000 }).canaries[0]?.intervalMs,
    ).toBe(60_000);
  });
});
