// Every setting that is one value, written once as a row: its key in the config file, the kind
// of value it takes (the parser of config/kinds.ts is named by it), its default, its flag, the
// words --help, check-config and docs/reference.md show, and whether it belongs to the daemon.
// The defaults (config/default-config.ts), the file's validation (config/load.ts), check-config
// (config/describe.ts), the flags and --help (cli/flags.ts) and the merge of flags over the
// file (config/merge.ts) are all read from here. The types refuse a row that lacks a piece, a
// config field without a row, and a kind whose values do not fit the field. Data only: --help
// reads it without loading a parser.

import type { FamilyChoice } from '../types.js';
import { formatDuration } from './duration.js';
import type {
  CloudDetectionConfig,
  ListenAddress,
  MetricsConfig,
  ProbeConfig,
  ReputationConfig,
} from './types.js';

/** The kinds of value, with their bounds; config/kinds.ts parses each, in a file and on a flag. */
export type Kind =
  | { name: 'duration'; minMs: number; maxMs: number }
  | { name: 'count'; min: number; max: number }
  | { name: 'family' }
  | { name: 'listen' }
  | { name: 'dnsServers' }
  | { name: 'dnsZones' }
  | { name: 'addresses' }
  | { name: 'boolean' }
  | { name: 'text' };
export type KindName = Kind['name'];

/** What each kind's parser returns. */
export interface KindValues {
  duration: number;
  count: number;
  family: FamilyChoice;
  listen: ListenAddress;
  dnsServers: string[];
  dnsZones: string[];
  addresses: string[];
  boolean: boolean;
  text: string;
}

/** The config fields that are one value; the list-shaped sections have parsers of their own. */
export type FieldPath =
  | Exclude<
      keyof ProbeConfig,
      'targets' | 'relays' | 'canaries' | 'identity' | 'cloud' | 'reputation' | 'metrics'
    >
  | `cloud.${Exclude<keyof CloudDetectionConfig, 'metadataUrls'>}`
  | `reputation.${keyof ReputationConfig}`
  | `metrics.${keyof MetricsConfig}`;

export type ValueAt<P extends FieldPath> = P extends `${infer S}.${infer K}`
  ? S extends keyof ProbeConfig
    ? K extends keyof ProbeConfig[S]
      ? ProbeConfig[S][K]
      : never
    : never
  : P extends keyof ProbeConfig
    ? ProbeConfig[P]
    : never;

/** Who a flag is for: refused with --once when 'daemon', refused without it when 'once'. */
export type Scope = 'both' | 'daemon' | 'once';

/** The headings of --help that setting flags sit under. */
export type HelpGroup = 'Targets and timing:' | 'Sender reputation:' | 'Exporter (without --once):';

export interface SettingFlag {
  /** '--connect-timeout'; a boolean setting's flag turns it off ('--no-cloud-detection'). */
  name: `--${string}`;
  /** The value's placeholder in --help ('<ms>'); null for a boolean's switch. */
  arg: `<${string}>` | null;
  /** An older name, accepted and never shown alone. */
  alias: `--${string}` | null;
  /** Each use adds to the list (`--dns-server A --dns-server B`); otherwise given at most once. */
  repeatable: boolean;
  group: HelpGroup;
}

export interface Setting<P extends FieldPath, N extends KindName> {
  /** Where the value lives in the effective config. */
  field: P;
  kind: Extract<Kind, { name: N }>;
  default: ValueAt<P>;
  /** What it does, for --help, check-config's reader and docs/reference.md (no default here). */
  help: string;
  flag: SettingFlag | null;
  /** Whether the config file may set it (its key is the row's key). */
  inFile: boolean;
  scope: Scope;
  /** A check against the other settings: what is expected instead, or undefined when it holds. */
  check: ((value: ValueAt<P>, config: ProbeConfig) => string | undefined) | null;
}

/** A row whose kind's values are exactly its field's: anything else is a type error. */
function setting<P extends FieldPath, N extends KindName>(
  row: Setting<P, N> &
    ([KindValues[N]] extends [ValueAt<P>]
      ? [ValueAt<P>] extends [KindValues[N]]
        ? unknown
        : { kindDoesNotFitField: never }
      : { kindDoesNotFitField: never }),
): Setting<P, N> {
  return row;
}

const MIN_INTERVAL_MS = 60_000;
const DEFAULT_LISTEN = ':9725';

export const SETTINGS = {
  interval: setting({
    field: 'intervalMs',
    kind: { name: 'duration', minMs: 10, maxMs: 24 * 3_600_000 },
    default: 5 * 60_000,
    help: `time between probe cycles, at least ${formatDuration(MIN_INTERVAL_MS)}`,
    flag: {
      name: '--interval',
      arg: '<duration>',
      alias: null,
      repeatable: false,
      group: 'Exporter (without --once):',
    },
    inFile: true,
    scope: 'daemon',
    // The daemon never probes more often than this: mail providers are not to be hammered.
    check: (ms, config) =>
      ms >= config.minIntervalMs
        ? undefined
        : `at least ${formatDuration(config.minIntervalMs)} (the floor that keeps mxprobe from hammering mail providers)`,
  }),
  minInterval: setting({
    field: 'minIntervalMs',
    kind: { name: 'duration', minMs: 10, maxMs: MIN_INTERVAL_MS },
    default: MIN_INTERVAL_MS,
    help: `lower the ${formatDuration(MIN_INTERVAL_MS)} floor under the interval, also a config file's (for tests and the lab only)`,
    flag: {
      name: '--min-interval',
      arg: '<duration>',
      alias: null,
      repeatable: false,
      group: 'Exporter (without --once):',
    },
    inFile: false,
    scope: 'both',
    check: null,
  }),
  splay: setting({
    field: 'splayMs',
    kind: { name: 'duration', minMs: 1, maxMs: 24 * 3_600_000 },
    default: 0,
    help: 'the first cycle starts at a random moment within this long, so a fleet started together does not probe in step (default: at once)',
    flag: null,
    inFile: true,
    scope: 'daemon',
    check: (ms, config) =>
      ms <= config.intervalMs
        ? undefined
        : 'at most the interval (a first cycle later than that would skip one)',
  }),
  listen: setting({
    field: 'listen',
    kind: { name: 'listen' },
    default: {
      host: undefined,
      port: 9725,
      text: DEFAULT_LISTEN,
      origin: 'the default listen address',
    },
    help: 'where /, /metrics, /status, /healthz and /-/reload are served; no host: every interface, a name is resolved once at start',
    flag: {
      name: '--web.listen-address',
      arg: '<[host]:port>',
      alias: '--listen',
      repeatable: false,
      group: 'Exporter (without --once):',
    },
    inFile: true,
    scope: 'daemon',
    check: null,
  }),
  // 1.5 s: two SYN rounds for each of six staggered sockets (probe/connect.ts), so loss does
  // not read as filtered, and a silently dropped port is called within 1.5 s.
  connectTimeout: setting({
    field: 'connectTimeoutMs',
    kind: { name: 'duration', minMs: 100, maxMs: 60_000 },
    default: 1_500,
    help: 'give up on a TCP connect after this long: a silent port is "filtered"',
    flag: {
      name: '--connect-timeout',
      arg: '<ms>',
      alias: null,
      repeatable: false,
      group: 'Targets and timing:',
    },
    inFile: true,
    scope: 'both',
    check: null,
  }),
  // RFC 5321 §4.5.3.2 lets a client wait 5 minutes for a greeting: no probe needs more.
  greetingTimeout: setting({
    field: 'greetingTimeoutMs',
    kind: { name: 'duration', minMs: 100, maxMs: 5 * 60_000 },
    default: 10_000,
    help: 'wait this long for the SMTP greeting (or the TLS handshake on 465)',
    flag: {
      name: '--greeting-timeout',
      arg: '<ms>',
      alias: null,
      repeatable: false,
      group: 'Targets and timing:',
    },
    inFile: true,
    scope: 'both',
    check: null,
  }),
  dnsServers: setting({
    field: 'dnsServers',
    kind: { name: 'dnsServers' },
    default: [],
    help: 'resolve through these DNS servers (ADDR or ADDR:PORT) instead of the system resolver',
    flag: {
      name: '--dns-server',
      arg: '<addr[:port]>',
      alias: null,
      repeatable: true,
      group: 'Targets and timing:',
    },
    inFile: true,
    scope: 'both',
    check: null,
  }),
  family: setting({
    field: 'family',
    kind: { name: 'family' },
    default: 'any',
    help: 'address families to probe: 4, 6 or any',
    flag: {
      name: '--family',
      arg: '<family>',
      alias: null,
      repeatable: false,
      group: 'Targets and timing:',
    },
    inFile: true,
    scope: 'both',
    check: null,
  }),
  concurrency: setting({
    field: 'concurrency',
    kind: { name: 'count', min: 1, max: 256 },
    default: 16,
    help: "attempts in flight to one target (a domain's MX hosts, or a host's addresses)",
    flag: {
      name: '--concurrency',
      arg: '<n>',
      alias: null,
      repeatable: false,
      group: 'Targets and timing:',
    },
    inFile: true,
    scope: 'both',
    check: null,
  }),
  // A silently dropped attempt holds its 6 staggered SYN sockets for the whole connect timeout,
  // so 4096 sockets let about 680 silent destinations be waited for at once: 500 of them cost
  // one connect timeout.
  maxSockets: setting({
    field: 'maxSockets',
    kind: { name: 'count', min: 1, max: 1_048_576 },
    default: 4_096,
    help: 'sockets open at once over all destinations, under the open-file limit',
    flag: {
      name: '--max-sockets',
      arg: '<n>',
      alias: null,
      repeatable: false,
      group: 'Targets and timing:',
    },
    inFile: true,
    scope: 'both',
    check: null,
  }),
  hostSpacing: setting({
    field: 'hostSpacingMs',
    kind: { name: 'duration', minMs: 1, maxMs: 60_000 },
    default: 100,
    help: 'the least time between the starts of two attempts to the same address',
    flag: null,
    inFile: true,
    scope: 'both',
    check: null,
  }),
  'cloudDetection.enabled': setting({
    field: 'cloud.enabled',
    kind: { name: 'boolean' },
    default: true,
    help: 'ask cloud metadata services which cloud this is',
    flag: {
      name: '--no-cloud-detection',
      arg: null,
      alias: null,
      repeatable: false,
      group: 'Targets and timing:',
    },
    inFile: true,
    scope: 'both',
    check: null,
  }),
  'cloudDetection.timeout': setting({
    field: 'cloud.timeoutMs',
    kind: { name: 'duration', minMs: 10, maxMs: 30_000 },
    default: 300,
    help: 'give up on every cloud metadata service after this long',
    flag: null,
    inFile: true,
    scope: 'both',
    check: null,
  }),
  'cloudDetection.dmiAssetTagPath': setting({
    field: 'cloud.dmiAssetTagPath',
    kind: { name: 'text' },
    default: '/sys/class/dmi/id/chassis_asset_tag',
    help: 'the DMI chassis asset tag; the other DMI fields are read beside it',
    flag: null,
    inFile: true,
    scope: 'both',
    check: null,
  }),
  'reputation.dnsbl': setting({
    field: 'reputation.dnsbl',
    // Public and free for low volume; each is described in docs/reference.md ("DNSBL zones").
    kind: { name: 'dnsZones' },
    default: ['zen.spamhaus.org', 'bl.spamcop.net', 'psbl.surriel.com'],
    help: 'DNSBL zones to look the egress addresses up in (none: no lookups)',
    flag: {
      name: '--dnsbl',
      arg: '<zones>',
      alias: null,
      repeatable: false,
      group: 'Sender reputation:',
    },
    inFile: true,
    scope: 'both',
    check: null,
  }),
  'reputation.egressAddresses': setting({
    field: 'reputation.egressAddresses',
    kind: { name: 'addresses' },
    default: [],
    help: 'the public addresses this machine sends mail from, when known',
    flag: {
      name: '--egress-address',
      arg: '<addr>',
      alias: null,
      repeatable: true,
      group: 'Sender reputation:',
    },
    inFile: true,
    scope: 'both',
    check: null,
  }),
  // A flag only, as in Prometheus: whoever starts the daemon decides who may reload it.
  'web.enableLifecycle': setting({
    field: 'enableLifecycle',
    kind: { name: 'boolean' },
    default: false,
    help: 'serve POST /-/reload (as SIGHUP); without it the endpoint answers 403. Behind basic auth when the web config has users',
    flag: {
      name: '--web.enable-lifecycle',
      arg: null,
      alias: null,
      repeatable: false,
      group: 'Exporter (without --once):',
    },
    inFile: false,
    scope: 'daemon',
    check: null,
  }),
  'metrics.runtime': setting({
    field: 'metrics.runtime',
    kind: { name: 'boolean' },
    default: true,
    help: 'Node.js and process metrics in /metrics (about 80–95 series: worth dropping on a fleet)',
    flag: null,
    inFile: true,
    scope: 'daemon',
    check: null,
  }),
} as const;

export type SettingId = keyof typeof SETTINGS;
/** Any row, for code that walks the table (a row's value type is its own business). */
export interface AnySetting {
  field: FieldPath;
  kind: Kind;
  default: unknown;
  help: string;
  flag: SettingFlag | null;
  inFile: boolean;
  scope: Scope;
  check: ((value: never, config: ProbeConfig) => string | undefined) | null;
}
/** Values by setting, as flags give them. */
export type SettingValues = { [Id in SettingId]?: ValueAt<(typeof SETTINGS)[Id]['field']> };

// Every one-value field of the config has its row: a field added to ProbeConfig without one
// fails here, naming it.
type Missing = Exclude<FieldPath, (typeof SETTINGS)[SettingId]['field']>;
const everyFieldHasARow: [Missing] extends [never] ? true : { missing: Missing } = true;
void everyFieldHasARow;

/** The rows in table order, with their ids. */
export function settingRows(): [SettingId, AnySetting][] {
  return Object.entries(SETTINGS) as [SettingId, AnySetting][];
}

export function readField(config: ProbeConfig, path: FieldPath): unknown {
  const [head = '', tail] = path.split('.');
  const top = (config as unknown as Record<string, unknown>)[head];
  return tail === undefined ? top : (top as Record<string, unknown>)[tail];
}

export function writeField(config: ProbeConfig, path: FieldPath, value: unknown): void {
  const [head = '', tail] = path.split('.');
  const record = config as unknown as Record<string, Record<string, unknown>>;
  if (tail === undefined) (record as Record<string, unknown>)[head] = value;
  else record[head] = { ...record[head], [tail]: value };
}

/** A value as a config file spells it: durations with their unit, lists as lists. */
export function fileValue(kind: Kind, value: unknown): unknown {
  switch (kind.name) {
    case 'duration':
      return formatDuration(value as number);
    case 'listen':
      return (value as ListenAddress).text;
    case 'count':
    case 'family':
    case 'dnsServers':
    case 'dnsZones':
    case 'addresses':
    case 'boolean':
    case 'text':
      return value;
  }
}

/** A value in a line of prose (--help, docs): "1.5s", "a, b", "none". */
export function valueWords(kind: Kind, value: unknown): string {
  const spelled = fileValue(kind, value);
  if (Array.isArray(spelled)) return spelled.length === 0 ? 'none' : spelled.join(', ');
  return String(spelled);
}

/** The bounds of a kind in words ("100ms to 1m"), or undefined when it has none. */
export function boundsWords(kind: Kind): string | undefined {
  if (kind.name === 'duration')
    return `${formatDuration(kind.minMs)} to ${formatDuration(kind.maxMs)}`;
  if (kind.name === 'count') return `${kind.min} to ${kind.max}`;
  return undefined;
}
