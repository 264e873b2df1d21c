import { describe, expect, it } from 'vitest';
import { parseDurationMs } from '../../src/config/duration.js';
import { ConfigError } from '../../src/config/error.js';
import { DEFAULT_PROBE_SET, loadConfigFile, parseConfig } from '../../src/config/load.js';
import { normalizeDnsServer, parseListen, parsePortList } from '../../src/config/values.js';

function problemsOf(text: string): string[] {
  try {
    parseConfig(text, 'bad.yaml');
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('parseConfig: a valid file', () => {
  it('reads every documented key (docs/reference.md, Config file)', () => {
    const config = parseConfig(
      `interval: 5m
listen: ":9725"
connectTimeout: 5s
greetingTimeout: 10s
dnsServers: ["192.0.2.53", "[2001:db8::53]:5353"]
targets:
  - domain: Example.COM.
    ports: [25]
  - host: smtp.example.com
    ports: [587, 465]
relays:
  - name: acs
    host: relay.example.net
    port: 587
    secure: starttls
    username: "resource|appId|tenantId"
    passwordFile: /run/credentials/mxprobe.service/acs
`,
      'good.yaml',
    );
    expect(config).toMatchObject({
      intervalMs: 300_000,
      listen: { host: undefined, port: 9725, text: ':9725', origin: 'good.yaml:2: listen' },
      connectTimeoutMs: 5_000,
      greetingTimeoutMs: 10_000,
      dnsServers: ['192.0.2.53', '[2001:db8::53]:5353'],
      targets: [
        { kind: 'domain', name: 'example.com', ports: [25] },
        { kind: 'host', name: 'smtp.example.com', ports: [587, 465] },
      ],
      relays: [
        {
          name: 'acs',
          host: 'relay.example.net',
          port: 587,
          secure: 'starttls',
          passwordFile: '/run/credentials/mxprobe.service/acs',
        },
      ],
    });
  });

  it('defaults ports to 25, 587, 465 and keeps the defaults of unset keys', () => {
    const config = parseConfig('targets:\n  - host: 127.0.0.1\n', 'min.yaml');
    expect(config.targets).toEqual([{ kind: 'host', name: '127.0.0.1', ports: [25, 587, 465] }]);
    expect(config.connectTimeoutMs).toBe(1_500);
    expect(config.intervalMs).toBe(300_000);
    expect(config.concurrency).toBe(16);
    expect(config.maxSockets).toBe(4_096);
  });

  it('keeps an old `concurrency` valid (now per target) beside the socket bound', () => {
    const config = parseConfig(
      'concurrency: 4\nmaxSockets: 1024\nhostSpacing: 200ms\ntargets: [{host: a.example}]\n',
      'old.yaml',
    );
    expect(config).toMatchObject({ concurrency: 4, maxSockets: 1_024, hostSpacingMs: 200 });
  });
});

describe('parseConfig: each mistake is one sentence naming file, line, field and expectation', () => {
  it.each([
    [
      'unknown key',
      'targets: [{host: a.example}]\nintervall: 5m\n',
      'bad.yaml:2: intervall: unknown key; expected one of interval, listen, connectTimeout, greetingTimeout, dnsServers, family, concurrency, maxSockets, hostSpacing, cloudDetection, targets, relays',
    ],
    [
      'bad duration',
      'interval: soon\ntargets: [{host: a.example}]\n',
      'bad.yaml:1: interval: expected a duration such as "1500ms", "10s" or "5m", got "soon"',
    ],
    [
      'bare number as duration',
      'connectTimeout: 5\ntargets: [{host: a.example}]\n',
      'bad.yaml:1: connectTimeout: expected a duration such as "1500ms", "10s" or "5m", got 5',
    ],
    [
      'port out of range',
      'targets:\n  - host: a.example\n    ports: [25, 70000]\n',
      'bad.yaml:3: targets[0].ports[1]: expected a port number from 1 to 65535, got 70000',
    ],
    [
      'port zero',
      'targets:\n  - host: a.example\n    ports: [0]\n',
      'bad.yaml:3: targets[0].ports[0]: expected a port number from 1 to 65535, got 0',
    ],
    [
      'empty targets',
      'targets: []\n',
      'bad.yaml:1: targets: expected a non-empty list of targets (each with domain: or host:), got a list',
    ],
    [
      'missing targets',
      'interval: 5m\n',
      'bad.yaml: targets: missing; expected a list of targets (domain: or host:)',
    ],
    [
      'wrong type',
      'targets: {host: a.example}\n',
      'bad.yaml:1: targets: expected a non-empty list of targets (each with domain: or host:), got a mapping',
    ],
    [
      'target without name',
      'targets:\n  - ports: [25]\n',
      'bad.yaml:2: targets[0]: missing domain: or host:',
    ],
    [
      'unknown target key',
      'targets:\n  - host: a.example\n    port: 25\n',
      'bad.yaml:3: targets[0].port: unknown key; expected one of domain, host, ports',
    ],
    [
      'bad relay security',
      'targets: [{host: a.example}]\nrelays:\n  - {name: r, host: r.example, port: 587, secure: ssl}\n',
      'bad.yaml:3: relays[0].secure: expected starttls, tls or none, got "ssl"',
    ],
    [
      'bad listen',
      'listen: 9725\ntargets: [{host: a.example}]\n',
      'bad.yaml:1: listen: expected an address to listen on such as ":9725" or "127.0.0.1:9725", got 9725',
    ],
    [
      'socket bound out of range',
      'maxSockets: 0\ntargets: [{host: a.example}]\n',
      'bad.yaml:1: maxSockets: expected a whole number from 1 to 1048576, got 0',
    ],
    [
      'bad dns server',
      'dnsServers: [dns.example]\ntargets: [{host: a.example}]\n',
      'bad.yaml:1: dnsServers[0]: expected an IP address with an optional port, got "dns.example"',
    ],
  ])('%s', (_what, text, message) => {
    expect(problemsOf(text)).toEqual([message]);
  });

  it('reports broken YAML with its line', () => {
    expect(problemsOf('targets:\n  - host: [a\n')[0]).toMatch(/^bad\.yaml:\d+: invalid YAML: /);
  });

  it('collects every problem, one line each', () => {
    const problems = problemsOf('interval: x\ntargets:\n  - host: a.example\n    ports: [99999]\n');
    expect(problems).toHaveLength(2);
    for (const p of problems) expect(p).not.toContain('\n');
  });
});

describe('small parsers', () => {
  it.each([
    ['1500ms', 1500],
    ['10s', 10_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['2.5s', 2500],
    ['2500', 2500],
    ['-1s', undefined],
    ['5 minutes', undefined],
    ['', undefined],
  ])('duration %j → %s', (text, ms) => {
    expect(parseDurationMs(text)).toBe(ms);
  });

  it.each([
    ['25,587,465', [25, 587, 465]],
    ['25, 25', [25]],
    ['0', undefined],
    ['25,x', undefined],
    ['65536', undefined],
  ])('ports %j → %j', (text, ports) => {
    expect(parsePortList(text)).toEqual(ports);
  });

  it.each([
    ['192.0.2.53', '192.0.2.53'],
    ['192.0.2.53:5353', '192.0.2.53:5353'],
    ['2001:db8::53', '2001:db8::53'],
    ['[2001:db8::53]:53', '[2001:db8::53]:53'],
    ['dns.example', undefined],
    ['192.0.2.53:99999', undefined],
  ])('dns server %j → %j', (text, server) => {
    expect(normalizeDnsServer(text)).toBe(server);
  });

  it.each([
    [':9725', { host: undefined, port: 9725 }],
    ['127.0.0.1:9725', { host: '127.0.0.1', port: 9725 }],
    ['[::1]:9725', { host: '::1', port: 9725 }],
    ['9725', undefined],
    [':0', undefined],
  ])('listen %j', (text, parsed) => {
    expect(parseListen(text)).toEqual(parsed);
  });
});

describe('the shipped default probe set', () => {
  it('is a valid config: providers on 25, submission hosts and relays only on documented ports', async () => {
    const config = await loadConfigFile(DEFAULT_PROBE_SET);
    const domains = config.targets.filter((t) => t.kind === 'domain');
    expect(domains.length).toBeGreaterThanOrEqual(3);
    for (const d of domains) expect(d.ports).toEqual([25]);
    for (const h of config.targets.filter((t) => t.kind === 'host')) {
      expect(h.ports.every((p) => p === 587 || p === 465)).toBe(true);
    }
    expect(config.targets.find((t) => t.name === 'smtp.postmarkapp.com')?.ports).toEqual([587]);
  });
});
