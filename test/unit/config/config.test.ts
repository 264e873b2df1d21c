import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDurationMs } from '../../../src/config/duration.js';
import { ConfigError } from '../../../src/config/error.js';
import {
  DEFAULT_PROBE_SET,
  loadConfigFile,
  loadDefaultProbeSet,
  parseConfig,
} from '../../../src/config/load.js';
import {
  dedupeTargets,
  normalizeDnsServer,
  parseListen,
  parsePortList,
  parseTargetName,
} from '../../../src/config/values.js';

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

  it('reads reputation: DNSBL zones (or none) and egress addresses in their canonical spelling', () => {
    const config = parseConfig(
      'targets: [{host: a.example}]\nreputation:\n  dnsbl: [Traps.DNSBL.test., traps.dnsbl.test]\n  egressAddresses: [203.0.113.7, "2001:DB8:7:0::7"]\n',
      'good.yaml',
    );
    expect(config.reputation).toEqual({
      dnsbl: ['traps.dnsbl.test'],
      egressAddresses: ['203.0.113.7', '2001:db8:7::7'],
    });
    const off = parseConfig('targets: [{host: a.example}]\nreputation: {dnsbl: []}\n', 'off.yaml');
    expect(off.reputation).toEqual({ dnsbl: [], egressAddresses: [] });
  });

  it('checks the default public DNSBL zones unless told otherwise', () => {
    const config = parseConfig('targets:\n  - host: 127.0.0.1\n', 'min.yaml');
    expect(config.reputation).toEqual({
      dnsbl: ['zen.spamhaus.org', 'bl.spamcop.net', 'psbl.surriel.com'],
      egressAddresses: [],
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
      'bad.yaml:2: intervall: unknown key; expected one of interval, splay, listen, connectTimeout, greetingTimeout, dnsServers, family, concurrency, maxSockets, hostSpacing, cloudDetection, reputation, metrics, targets, relays, canaries, identity',
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
      'bad.yaml:1: listen: expected an address and port to listen on such as ":9725", "127.0.0.1:9725", "[::1]:9725" or "localhost:9725", got 9725',
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
    [
      'a DNSBL zone that is an address',
      'targets: [{host: a.example}]\nreputation:\n  dnsbl: [zen.spamhaus.org, 127.0.0.2]\n',
      'bad.yaml:3: reputation.dnsbl[1]: expected a DNSBL zone name such as zen.spamhaus.org, got "127.0.0.2"',
    ],
    [
      'DNSBL zones not as a list',
      'targets: [{host: a.example}]\nreputation:\n  dnsbl: zen.spamhaus.org\n',
      'bad.yaml:3: reputation.dnsbl: expected a list of DNSBL zones ([] for none), got "zen.spamhaus.org"',
    ],
    [
      'an egress address that is a name',
      'targets: [{host: a.example}]\nreputation:\n  egressAddresses: [mail.example.com]\n',
      'bad.yaml:3: reputation.egressAddresses[0]: expected an IPv4 or IPv6 address, got "mail.example.com"',
    ],
    [
      'unknown reputation key',
      'targets: [{host: a.example}]\nreputation:\n  dnsbls: []\n',
      'bad.yaml:3: reputation.dnsbls: unknown key; expected one of dnsbl, egressAddresses',
    ],
  ])('%s', (_what, text, message) => {
    expect(problemsOf(text)).toEqual([message]);
  });

  it.each([
    [
      'splay longer than the interval',
      'interval: 5m\nsplay: 10m\ntargets: [{host: a.example}]\n',
      'bad.yaml:2: splay: expected at most the interval (a first cycle later than that would skip one), got "10m"',
    ],
    [
      'metrics not a mapping',
      'metrics: false\ntargets: [{host: a.example}]\n',
      'bad.yaml:1: metrics: expected a mapping (runtime), got false',
    ],
    [
      'metrics.runtime not a boolean',
      'metrics: {runtime: "no"}\ntargets: [{host: a.example}]\n',
      'bad.yaml:1: metrics.runtime: expected true or false, got "no"',
    ],
    [
      'unknown metrics key',
      'metrics: {process: false}\ntargets: [{host: a.example}]\n',
      'bad.yaml:1: metrics.process: unknown key; expected one of runtime',
    ],
  ])('fleet settings: %s', (_what, text, message) => {
    expect(problemsOf(text)).toEqual([message]);
  });

  it('reads the fleet settings: splay and metrics.runtime', () => {
    const config = parseConfig(
      'interval: 30m\nsplay: 30m\nmetrics:\n  runtime: false\ntargets: [{host: a.example}]\n',
      'fleet.yaml',
    );
    expect(config).toMatchObject({
      intervalMs: 1_800_000,
      splayMs: 1_800_000,
      metrics: { runtime: false },
    });
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
    // A host name, as exporters take it: resolved once when the daemon starts, never here.
    ['localhost:9725', { host: 'localhost', port: 9725 }],
    ['Mail.Example.:9725', { host: 'mail.example', port: 9725 }],
    ['127.000.000.001:9725', undefined],
    ['[mail.example]:9725', undefined],
    ['[2001:db8::1]:9725', { host: '2001:db8::1', port: 9725 }],
  ])('listen %j', (text, parsed) => {
    expect(parseListen(text)).toEqual(parsed);
  });

  it.each([
    ['Mail.Example.', 'mail.example'],
    ['bücher.example', 'xn--bcher-kva.example'],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['::ffff:192.0.2.1', '::ffff:c000:201'],
    ['192.0.2.1.', '192.0.2.1'],
    ['_submission._tcp.example', '_submission._tcp.example'],
    ['127.000.000.001', undefined],
    ['10.1', undefined],
    ['0x7f.0.0.1', undefined],
    ['xn--zz.example', undefined],
    ['[2001:db8::1]', undefined],
    ['mail example.com', undefined],
    ['', undefined],
  ])('target name %j → %j', (text, name) => {
    expect(parseTargetName(text)).toBe(name);
  });

  it('merges targets named twice, ports joined in the order given', () => {
    expect(
      dedupeTargets([
        { kind: 'host', name: 'a.example', ports: [25] },
        { kind: 'domain', name: 'a.example', ports: [25] },
        { kind: 'host', name: 'a.example', ports: [587, 25] },
      ]),
    ).toEqual({
      targets: [
        { kind: 'host', name: 'a.example', ports: [25, 587] },
        { kind: 'domain', name: 'a.example', ports: [25] },
      ],
      merged: ['host a.example ×2'],
    });
  });
});

describe('the shipped default probe set', () => {
  it('is a valid config: providers on 25, submission hosts and relays only on documented ports', async () => {
    const config = await loadDefaultProbeSet();
    const domains = config.targets.filter((t) => t.kind === 'domain');
    expect(domains.length).toBeGreaterThanOrEqual(3);
    for (const d of domains) expect(d.ports).toEqual([25]);
    for (const h of config.targets.filter((t) => t.kind === 'host')) {
      expect(h.ports.every((p) => p === 587 || p === 465 || p === 2525)).toBe(true);
    }
    expect(config.targets.find((t) => t.name === 'smtp.postmarkapp.com')?.ports).toEqual([
      587, 2525,
    ]);
    // 2525 only on the relays that document it, never on a mailbox provider's submission host.
    const on2525 = config.targets.filter((t) => t.ports.includes(2525)).map((t) => t.name);
    expect(on2525).toEqual(['smtp.sendgrid.net', 'smtp.mailgun.org', 'smtp.postmarkapp.com']);
  });

  it('the fleet profile: a longer interval with a splay, fewer third-party targets, no runtime series', async () => {
    const fleet = await loadConfigFile(join(dirname(DEFAULT_PROBE_SET), 'fleet.yaml'));
    const shipped = await loadDefaultProbeSet();
    expect(fleet.intervalMs).toBeGreaterThanOrEqual(6 * shipped.intervalMs);
    expect(fleet.splayMs).toBe(fleet.intervalMs);
    expect(fleet.metrics.runtime).toBe(false);
    expect(fleet.targets.length).toBeLessThan(shipped.targets.length / 2);
    expect(fleet.targets.filter((t) => t.kind === 'domain')).toHaveLength(2);
  });
});
