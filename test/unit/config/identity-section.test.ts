// The `identity:` config section: its values, and one sentence per mistake naming the field.
import { describe, expect, it } from 'vitest';
import { Validator } from '../../../src/config/validator.js';
import { readIdentity } from '../../../src/config/sections.js';
import { parseConfig } from '../../../src/config/load.js';

function read(value: unknown) {
  const problems: string[] = [];
  const v = new Validator(problems, (path) => `mxprobe.yaml: ${path.join('.')}`);
  return { settings: readIdentity(v, value, ['identity']), problems };
}

describe('identity settings', () => {
  it('reads the three keys, normalised', () => {
    expect(
      read({
        ehloName: 'Mail.Example.com.',
        sendingDomains: ['Example.com', 'example.com'],
        dkimSelectors: ['s1', 'google'],
      }),
    ).toEqual({
      settings: {
        ehloName: 'mail.example.com',
        sendingDomains: ['example.com'],
        dkimSelectors: ['s1', 'google'],
      },
      problems: [],
    });
  });

  it('defaults to no sending domain and no selector', () => {
    expect(read({})).toEqual({ settings: { sendingDomains: [], dkimSelectors: [] }, problems: [] });
  });

  it.each([
    [
      { ehloName: 'vm1' },
      'mxprobe.yaml: identity.ehloName: expected a fully qualified host name such as mail.example.com, got "vm1"',
    ],
    [
      { sendingDomains: 'example.com' },
      'mxprobe.yaml: identity.sendingDomains: expected a list of names (a domain name such as example.com), got "example.com"',
    ],
    [
      { sendingDomains: ['example.com', 'not a domain'] },
      'mxprobe.yaml: identity.sendingDomains.1: expected a domain name such as example.com, got "not a domain"',
    ],
    [
      { dkimSelectors: ['s 1'] },
      'mxprobe.yaml: identity.dkimSelectors.0: expected a DKIM selector such as s1 or google, got "s 1"',
    ],
    [
      { sendingDomain: ['example.com'] },
      'mxprobe.yaml: identity.sendingDomain: unknown key; expected one of ehloName, sendingDomains, dkimSelectors',
    ],
  ])('%j → one line naming the field', (value, problem) => {
    expect(read(value).problems).toEqual([problem]);
  });

  it('more than 20 sending domains is a mistake', () => {
    const many = Array.from({ length: 21 }, (_, i) => `d${i}.example.com`);
    expect(read({ sendingDomains: many }).problems).toEqual([
      'mxprobe.yaml: identity.sendingDomains: 21 entries; at most 20 are allowed in one config',
    ]);
  });
});

describe('identity: in a config file', () => {
  it('is read with its line, and absent means not checked', () => {
    const yaml = 'targets:\n  - domain: example.com\nidentity:\n  sendingDomains: [example.com]\n';
    expect(parseConfig(yaml, 'mxprobe.yaml').identity).toEqual({
      sendingDomains: ['example.com'],
      dkimSelectors: [],
    });
    expect(
      parseConfig('targets:\n  - domain: example.com\n', 'mxprobe.yaml').identity,
    ).toBeUndefined();
  });

  it('a mistake is one line naming file, line and field', () => {
    const yaml = 'targets:\n  - domain: example.com\nidentity:\n  ehloName: localhost\n';
    expect(() => parseConfig(yaml, 'mxprobe.yaml')).toThrow(
      'mxprobe.yaml:4: identity.ehloName: expected a fully qualified host name such as mail.example.com, got "localhost"',
    );
  });
});
