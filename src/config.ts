// The config file (CONTRACT §8): parsed with `yaml`, validated by hand so that every mistake
// becomes one sentence naming the file, line, field and what was expected. Unknown keys are
// errors: a typo must never silently leave a default in force.

import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { isMap, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { CloudDetectionConfig, ProbeConfig } from './config-types.js';
import { formatDuration, parseDurationMs } from './duration.js';
import { DEFAULT_PROBE_SET, DEFAULT_PROBE_SET_TEXT } from './package-root.js';
import type { FamilyChoice, RelaySecurity, RelaySpec, TargetSpec } from './types.js';

export type { ProbeConfig } from './config-types.js';

export const DEFAULT_PORTS = [25, 587, 465] as const;
export const MIN_INTERVAL_MS = 60_000;
export { DEFAULT_PROBE_SET } from './package-root.js';

/** A mistake in the user's configuration: always one line, naming where and what. */
export class ConfigError extends Error {
  constructor(
    readonly problems: string[],
    options?: ErrorOptions,
  ) {
    super(problems.join('\n'), options);
    this.name = 'ConfigError';
  }
}

export function defaultCloudDetection(): CloudDetectionConfig {
  return {
    enabled: true,
    azureUrl: 'http://169.254.169.254/metadata/instance',
    awsUrl: 'http://169.254.169.254',
    gcpUrl: 'http://metadata.google.internal',
    timeoutMs: 300,
    dmiAssetTagPath: '/sys/class/dmi/id/chassis_asset_tag',
  };
}

export function defaultConfig(): ProbeConfig {
  return {
    intervalMs: 5 * 60_000,
    minIntervalMs: MIN_INTERVAL_MS,
    listen: ':9725',
    // 1.5 s: two SYN rounds for each of six staggered sockets (see dial.ts), so loss does not
    // read as filtered, and a silently dropped port is called within 1.5 s.
    connectTimeoutMs: 1_500,
    greetingTimeoutMs: 10_000,
    dnsServers: [],
    family: 'any',
    concurrency: 16,
    hostSpacingMs: 100,
    targets: [],
    relays: [],
    cloud: defaultCloudDetection(),
  };
}

type Problems = string[];

/** Reads and validates a config file; the result still lacks command-line overrides. */
export async function loadConfigFile(path: string): Promise<ProbeConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code;
    throw new ConfigError([`${path}: cannot read config file: ${why ?? String(error)}`], {
      cause: error,
    });
  }
  return parseConfig(text, path);
}

/** The built-in probe set (probes/default.yaml): embedded in the executable, else a file. */
export async function loadDefaultProbeSet(): Promise<ProbeConfig> {
  return DEFAULT_PROBE_SET_TEXT === undefined
    ? loadConfigFile(DEFAULT_PROBE_SET)
    : parseConfig(DEFAULT_PROBE_SET_TEXT, DEFAULT_PROBE_SET);
}

/** Validates config text; `source` names the file in every message. Pure. */
export function parseConfig(text: string, source: string): ProbeConfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((e) => {
        const line = e.linePos?.[0].line;
        return `${source}${line ? `:${line}` : ''}: invalid YAML: ${e.message.split('\n')[0]}`;
      }),
    );
  }
  const problems: Problems = [];
  const at = (path: (string | number)[]): string => {
    const node = doc.getIn(path, true) as Node | undefined;
    const offset = node?.range?.[0] ?? keyOffset(doc, path);
    const line = offset === undefined ? undefined : lines.linePos(offset).line;
    return `${source}${line ? `:${line}` : ''}: ${formatPath(path)}`;
  };
  const raw: unknown = doc.toJS();
  const config = defaultConfig();
  if (raw === null || raw === undefined) {
    problems.push(`${source}: the file is empty; expected a mapping with at least "targets"`);
    throw new ConfigError(problems);
  }
  if (!isPlainObject(raw)) {
    throw new ConfigError([`${source}: expected a mapping of settings at the top level`]);
  }
  const v = new Validator(problems, at);
  v.keys(raw, [], [...TOP_LEVEL_KEYS]);
  if ('interval' in raw) config.intervalMs = v.duration(raw.interval, ['interval']);
  if ('listen' in raw) config.listen = v.listen(raw.listen, ['listen']);
  if ('connectTimeout' in raw)
    config.connectTimeoutMs = v.duration(raw.connectTimeout, ['connectTimeout']);
  if ('greetingTimeout' in raw)
    config.greetingTimeoutMs = v.duration(raw.greetingTimeout, ['greetingTimeout']);
  if ('dnsServers' in raw) config.dnsServers = v.dnsServers(raw.dnsServers, ['dnsServers']);
  if ('family' in raw) config.family = v.family(raw.family, ['family']);
  if ('concurrency' in raw)
    config.concurrency = v.integer(raw.concurrency, ['concurrency'], 1, 256);
  if ('hostSpacing' in raw) config.hostSpacingMs = v.duration(raw.hostSpacing, ['hostSpacing']);
  if ('cloudDetection' in raw) config.cloud = v.cloud(raw.cloudDetection, ['cloudDetection']);
  if (!('targets' in raw)) {
    problems.push(`${source}: targets: missing; expected a list of targets (domain: or host:)`);
  } else {
    config.targets = v.targets(raw.targets, ['targets']);
  }
  if ('relays' in raw) config.relays = v.relays(raw.relays, ['relays']);
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

const TOP_LEVEL_KEYS = [
  'interval',
  'listen',
  'connectTimeout',
  'greetingTimeout',
  'dnsServers',
  'family',
  'concurrency',
  'hostSpacing',
  'cloudDetection',
  'targets',
  'relays',
] as const;
const TARGET_KEYS = ['domain', 'host', 'ports'] as const;
const RELAY_KEYS = [
  'name',
  'host',
  'port',
  'secure',
  'username',
  'passwordFile',
  'passwordEnv',
  'testRecipient',
  'testSender',
] as const;
const CLOUD_KEYS = [
  'enabled',
  'azureUrl',
  'awsUrl',
  'gcpUrl',
  'timeout',
  'dmiAssetTagPath',
] as const;

type Path = (string | number)[];

/** Checks one value at a time, recording a sentence per problem and returning a usable value. */
class Validator {
  constructor(
    private readonly problems: Problems,
    private readonly at: (path: Path) => string,
  ) {}

  private fail(path: Path, expected: string, got: unknown): void {
    this.problems.push(`${this.at(path)}: expected ${expected}, got ${describe(got)}`);
  }

  keys(value: Record<string, unknown>, path: Path, allowed: readonly string[]): void {
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key)) {
        this.problems.push(
          `${this.at([...path, key])}: unknown key; expected one of ${allowed.join(', ')}`,
        );
      }
    }
  }

  duration(value: unknown, path: Path): number {
    // Bare numbers are refused: "5" could mean seconds or milliseconds, and guessing is worse.
    const ms = typeof value === 'string' ? parseDurationMs(value) : undefined;
    if (ms === undefined || ms <= 0) {
      this.fail(path, 'a duration such as "1500ms", "10s" or "5m"', value);
      return 0;
    }
    return ms;
  }

  integer(value: unknown, path: Path, min: number, max: number): number {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      this.fail(path, `a whole number from ${min} to ${max}`, value);
      return min;
    }
    return value;
  }

  port(value: unknown, path: Path): number {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 65535) {
      this.fail(path, 'a port number from 1 to 65535', value);
      return 0;
    }
    return value;
  }

  ports(value: unknown, path: Path): number[] {
    if (!Array.isArray(value) || value.length === 0) {
      this.fail(path, 'a non-empty list of ports such as [25, 587, 465]', value);
      return [];
    }
    return uniq(value.map((p, i) => this.port(p, [...path, i])));
  }

  name(value: unknown, path: Path, what: string): string {
    if (typeof value !== 'string' || !isHostName(value)) {
      this.fail(path, what, value);
      return '';
    }
    return value.replace(/\.$/, '').toLowerCase();
  }

  string(value: unknown, path: Path, what = 'a string'): string {
    if (typeof value !== 'string' || value.length === 0) {
      this.fail(path, what, value);
      return '';
    }
    return value;
  }

  listen(value: unknown, path: Path): string {
    if (typeof value !== 'string' || parseListen(value) === undefined) {
      this.fail(path, 'an address to listen on such as ":9725" or "127.0.0.1:9725"', value);
      return '';
    }
    return value;
  }

  family(value: unknown, path: Path): FamilyChoice {
    const family = parseFamily(String(value));
    if (family === undefined) {
      this.fail(path, '4, 6 or any', value);
      return 'any';
    }
    return family;
  }

  dnsServers(value: unknown, path: Path): string[] {
    if (!Array.isArray(value)) {
      this.fail(path, 'a list of DNS server addresses (ADDR or ADDR:PORT)', value);
      return [];
    }
    return value.map((entry, i) => {
      const server = typeof entry === 'string' ? normalizeDnsServer(entry) : undefined;
      if (server === undefined)
        this.fail([...path, i], 'an IP address with an optional port', entry);
      return server ?? '';
    });
  }

  targets(value: unknown, path: Path): TargetSpec[] {
    if (!Array.isArray(value) || value.length === 0) {
      this.fail(path, 'a non-empty list of targets (each with domain: or host:)', value);
      return [];
    }
    return value.flatMap((entry, i): TargetSpec[] => {
      const here = [...path, i];
      if (!isPlainObject(entry)) {
        this.fail(here, 'a mapping with domain: or host: and ports:', entry);
        return [];
      }
      this.keys(entry, here, TARGET_KEYS);
      const ports =
        'ports' in entry ? this.ports(entry.ports, [...here, 'ports']) : [...DEFAULT_PORTS];
      if ('domain' in entry && 'host' in entry) {
        this.problems.push(`${this.at(here)}: give either domain: or host:, not both`);
        return [];
      }
      if ('domain' in entry) {
        const name = this.name(
          entry.domain,
          [...here, 'domain'],
          'a mail domain such as example.com',
        );
        return [{ kind: 'domain', name, ports }];
      }
      if ('host' in entry) {
        const name = this.name(entry.host, [...here, 'host'], 'a host name or IP address');
        return [{ kind: 'host', name, ports }];
      }
      this.problems.push(`${this.at(here)}: missing domain: or host:`);
      return [];
    });
  }

  relays(value: unknown, path: Path): RelaySpec[] {
    if (!Array.isArray(value)) {
      this.fail(path, 'a list of relays', value);
      return [];
    }
    const names = new Set<string>();
    return value.flatMap((entry, i): RelaySpec[] => {
      const here = [...path, i];
      if (!isPlainObject(entry)) {
        this.fail(here, 'a mapping with name:, host: and port:', entry);
        return [];
      }
      this.keys(entry, here, RELAY_KEYS);
      const name = this.string(entry.name, [...here, 'name'], 'a relay name');
      if (names.has(name))
        this.problems.push(`${this.at([...here, 'name'])}: duplicate relay name "${name}"`);
      names.add(name);
      const relay: RelaySpec = {
        name,
        host: this.name(entry.host, [...here, 'host'], 'a host name or IP address'),
        port: this.port(entry.port, [...here, 'port']),
        secure: 'starttls',
      };
      if ('secure' in entry) {
        const secure = entry.secure;
        if (secure === 'starttls' || secure === 'tls' || secure === 'none') {
          relay.secure = secure satisfies RelaySecurity;
        } else this.fail([...here, 'secure'], 'starttls, tls or none', secure);
      }
      for (const key of [
        'username',
        'passwordFile',
        'passwordEnv',
        'testRecipient',
        'testSender',
      ] as const) {
        if (key in entry) relay[key] = this.string(entry[key], [...here, key]);
      }
      if (relay.passwordFile !== undefined && relay.passwordEnv !== undefined) {
        this.problems.push(`${this.at(here)}: give either passwordFile: or passwordEnv:, not both`);
      }
      return [relay];
    });
  }

  cloud(value: unknown, path: Path): CloudDetectionConfig {
    const cloud = defaultCloudDetection();
    if (!isPlainObject(value)) {
      this.fail(path, 'a mapping (enabled, azureUrl, awsUrl, gcpUrl, timeout)', value);
      return cloud;
    }
    this.keys(value, path, CLOUD_KEYS);
    if ('enabled' in value) {
      if (typeof value.enabled === 'boolean') cloud.enabled = value.enabled;
      else this.fail([...path, 'enabled'], 'true or false', value.enabled);
    }
    for (const key of ['azureUrl', 'awsUrl', 'gcpUrl'] as const) {
      if (key in value) {
        const url = this.string(value[key], [...path, key], 'an http:// URL');
        if (url && !/^https?:\/\//.test(url)) this.fail([...path, key], 'an http:// URL', url);
        cloud[key] = url;
      }
    }
    if ('dmiAssetTagPath' in value)
      cloud.dmiAssetTagPath = this.string(value.dmiAssetTagPath, [...path, 'dmiAssetTagPath']);
    if ('timeout' in value) cloud.timeoutMs = this.duration(value.timeout, [...path, 'timeout']);
    return cloud;
  }
}

export function parseFamily(text: string): FamilyChoice | undefined {
  if (text === '4') return 4;
  if (text === '6') return 6;
  if (text === 'any') return 'any';
  return undefined;
}

/** "ADDR", "ADDR:PORT", "[V6]:PORT" or a bare IPv6 address, in the form c-ares accepts. */
export function normalizeDnsServer(text: string): string | undefined {
  if (isIP(text)) return text;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (bracketed) {
    const [, address = '', port] = bracketed;
    if (isIP(address) !== 6 || (port !== undefined && !isPortText(port))) return undefined;
    return port ? `[${address}]:${port}` : address;
  }
  const hostPort = /^([^:]+):(\d+)$/.exec(text);
  if (hostPort && isIP(hostPort[1] ?? '') === 4 && isPortText(hostPort[2] ?? '')) return text;
  return undefined;
}

/** ":9725" (every interface), "127.0.0.1:9725", "[::1]:9725". */
export function parseListen(text: string): { host: string | undefined; port: number } | undefined {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d+)$/.exec(text);
  if (!match) return undefined;
  const host = match[1] ?? (match[2] || undefined);
  const port = Number(match[3]);
  if (!isPortText(match[3] ?? '') || port === 0) return undefined;
  if (host !== undefined && match[1] !== undefined && isIP(host) !== 6) return undefined;
  return { host, port };
}

export function parsePortList(text: string): number[] | undefined {
  const parts = text.split(',').map((p) => p.trim());
  if (parts.length === 0 || parts.some((p) => !isPortText(p) || Number(p) === 0)) return undefined;
  return uniq(parts.map(Number));
}

function isPortText(text: string): boolean {
  return /^\d{1,5}$/.test(text) && Number(text) <= 65535;
}

function isHostName(text: string): boolean {
  if (isIP(text)) return true;
  return /^(?=.{1,253}\.?$)([a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?)(\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?)*\.?$/i.test(
    text,
  );
}

export function isValidTargetName(text: string): boolean {
  return isHostName(text);
}

function uniq<T>(values: T[]): T[] {
  return [...new Set(values)];
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return JSON.stringify(value);
}

function formatPath(path: Path): string {
  return path.reduce<string>(
    (out, part) => (typeof part === 'number' ? `${out}[${part}]` : out ? `${out}.${part}` : part),
    '',
  );
}

/** For a key that has no value node (e.g. `unknown:` with nothing after it), locate the key. */
function keyOffset(doc: Document, path: Path): number | undefined {
  const parent = path.length > 1 ? doc.getIn(path.slice(0, -1), true) : doc.contents;
  const last = path[path.length - 1];
  if (isMap(parent)) {
    const pair = parent.items.find(
      (item) => (item.key as { value?: unknown } | null)?.value === last,
    );
    return (pair?.key as Node | null)?.range?.[0];
  }
  if (isSeq(parent)) return (parent.items[Number(last)] as Node | undefined)?.range?.[0];
  return (parent as Node | null)?.range?.[0];
}

/** The effective config as YAML-ready data, for `check-config` (no secrets are held here). */
export function describeConfig(config: ProbeConfig): Record<string, unknown> {
  return {
    interval: formatDuration(config.intervalMs),
    listen: config.listen,
    connectTimeout: formatDuration(config.connectTimeoutMs),
    greetingTimeout: formatDuration(config.greetingTimeoutMs),
    dnsServers: config.dnsServers,
    family: config.family === 'any' ? 'any' : config.family,
    concurrency: config.concurrency,
    hostSpacing: formatDuration(config.hostSpacingMs),
    cloudDetection: {
      enabled: config.cloud.enabled,
      azureUrl: config.cloud.azureUrl,
      awsUrl: config.cloud.awsUrl,
      gcpUrl: config.cloud.gcpUrl,
      timeout: formatDuration(config.cloud.timeoutMs),
    },
    targets: config.targets.map((t) => ({ [t.kind]: t.name, ports: t.ports })),
    relays: config.relays.map((r) => ({ ...r })),
  };
}
