// The commands and their flags, written once as tables: the flags of the settings come from
// config/settings.ts (one row per setting), the command's own flags (what to probe, how to
// report, where to log) from COMMAND_FLAGS below. cli/program.ts builds commander's parser from
// them, with the parsers named by kind (config/kinds.ts) or by name (cli/options.ts), and
// cli/help.ts renders --help from them without loading commander or a parser: --help then loads
// a handful of small modules, where commander alone costs about a fifth of a bare Node.js
// start. The exporter flags carry the names Prometheus exporters use (`--web.listen-address`,
// `--config.file`, `--log.level`); mxprobe's older names stay accepted as hidden aliases.

import { DEFAULT_PORTS, DEFAULTS } from '../config/defaults.js';
import {
  boundsWords,
  SETTINGS,
  settingRows,
  valueWords,
  type AnySetting,
  type HelpGroup,
  type Scope,
  type SettingId,
} from '../config/settings.js';
import type { LOG_FORMATS, LogLevel } from '../log.js';
import { describePorts } from '../ports.js';

export type LogFormatChoice = (typeof LOG_FORMATS)[number];

/** What the command flags' parsers (cli/options.ts, by name) return. */
export interface CommandValues {
  targetName: string;
  ports: number[];
  logLevel: LogLevel;
  logFormat: LogFormatChoice;
  path: string;
  switch: boolean;
}

/** The command's own flags, by key, as the command receives them once parsed. */
export interface CommandFlags {
  once: boolean;
  json: boolean;
  textfile: string;
  config: string;
  domain: string[];
  host: string[];
  ports: number[];
  webConfigFile: string;
  logLevel: LogLevel;
  logFormat: LogFormatChoice;
}

/** The parser whose value fits the flag's (a repeatable flag's parser gives one entry). */
type ParserFor<T> = {
  [P in keyof CommandValues]: [T] extends [CommandValues[P]]
    ? P
    : [T] extends [CommandValues[P][]]
      ? P
      : never;
}[keyof CommandValues];

/** Where a parsed flag's value goes: a command flag, or a setting of config/settings.ts. */
export type FlagTarget =
  | { command: keyof CommandFlags; parse: keyof CommandValues; repeatable: boolean }
  | { setting: SettingId };

export interface FlagSpec {
  /** As commander takes it: `--ports <list>`, `--once`, `--no-cloud-detection`. */
  flags: string;
  description: string;
  /** The older name, accepted beside it and never shown by --help. */
  alias?: { flags: string };
  scope: Scope;
  /** None for --help. */
  target: FlagTarget | null;
}

interface CommandFlag<K extends keyof CommandFlags> {
  flags: string;
  description: string;
  alias: string | null;
  parse: ParserFor<CommandFlags[K]>;
  repeatable: boolean;
  scope: Scope;
}

export interface FlagGroup {
  /** The heading in --help; the first group of a command is "Options:". */
  title: string;
  flags: readonly FlagSpec[];
}

export interface CommandSpec {
  name: string;
  description: string;
  groups: readonly FlagGroup[];
  /** Paragraphs after the flags. */
  notes: readonly string[];
}

export const HELP_FLAG: FlagSpec = {
  flags: '-h, --help',
  description: 'display help for command',
  scope: 'both',
  target: null,
};
export const VERSION_FLAG: FlagSpec = {
  flags: '-V, --version',
  description: 'output the version number',
  scope: 'both',
  target: null,
};

export const PROGRAM = {
  name: 'mxprobe',
  description:
    'Tell whether outbound SMTP (ports 25, 587, 465) leaves this machine: each connection is ' +
    'reachable (a mail server greeted), blocked (something said no) or filtered (nothing ' +
    'answered), and the pattern is diagnosed with advice, once or continuously as a ' +
    'Prometheus exporter.',
  examples: [
    ['mxprobe probe --once', 'probe the built-in set of mail providers'],
    [
      'mxprobe probe --once --domain example.com',
      `probe the MX hosts of one domain on ${DEFAULT_PORTS.join(', ')}`,
    ],
    [
      'mxprobe probe --once --host smtp.example.com --ports 587,465 --json',
      'probe a submission server, print the report as JSON',
    ],
    [
      'mxprobe probe --config.file /etc/mxprobe/config.yaml',
      `run as an exporter: metrics on ${valueWords(SETTINGS.listen.kind, SETTINGS.listen.default)}`,
    ],
    ['mxprobe check-config --config.file /etc/mxprobe/config.yaml', 'check a config file'],
  ] as const,
  notes: [
    'Exit status of probe --once: 0 every probed port open, 1 a port not open, 2 usage or ' +
      'config error, 3 nothing could be probed (name resolution failed, or this machine could not ' +
      'make the attempts).',
  ],
} as const;

/** The flags that are no setting: every one must be here (the type says so). */
const COMMAND_FLAGS: { [K in keyof CommandFlags]: CommandFlag<K> } = {
  once: {
    flags: '--once',
    description: 'run one pass, print the report and exit (exit status tells the verdict)',
    alias: null,
    parse: 'switch',
    repeatable: false,
    scope: 'both',
  },
  json: {
    flags: '--json',
    description: 'print the report as one JSON document on stdout (the daemon serves GET /status)',
    alias: null,
    parse: 'switch',
    repeatable: false,
    scope: 'once',
  },
  textfile: {
    flags: '--textfile <path>',
    description:
      "also write the metrics to this file for node_exporter's textfile collector (the daemon serves /metrics)",
    alias: null,
    parse: 'path',
    repeatable: false,
    scope: 'once',
  },
  config: {
    flags: '--config.file <file>',
    description: 'YAML config file (targets, relays, timeouts, interval)',
    alias: '--config <file>',
    parse: 'path',
    repeatable: false,
    scope: 'both',
  },
  domain: {
    flags: '--domain <domain>',
    description: 'probe the MX hosts of this mail domain (repeatable)',
    alias: null,
    parse: 'targetName',
    repeatable: true,
    scope: 'both',
  },
  host: {
    flags: '--host <host>',
    description: "probe this host's own addresses, e.g. a submission server (repeatable)",
    alias: null,
    parse: 'targetName',
    repeatable: true,
    scope: 'both',
  },
  ports: {
    flags: '--ports <list>',
    description: `comma-separated ports (default ${DEFAULT_PORTS.join(',')})`,
    alias: null,
    parse: 'ports',
    repeatable: false,
    scope: 'both',
  },
  webConfigFile: {
    flags: '--web.config.file <file>',
    description:
      'TLS and basic auth for every endpoint (the web config file of Prometheus exporters)',
    alias: null,
    parse: 'path',
    repeatable: false,
    scope: 'daemon',
  },
  logLevel: {
    flags: '--log.level <level>',
    description: `debug, info, warn or error (default ${DEFAULTS.logLevel}; with --once ${DEFAULTS.onceLogLevel})`,
    alias: '--log-level <level>',
    parse: 'logLevel',
    repeatable: false,
    scope: 'both',
  },
  logFormat: {
    flags: '--log.format <format>',
    description:
      'logfmt or json (default: json, or a short line for a person when the log goes to a terminal)',
    alias: null,
    parse: 'logFormat',
    repeatable: false,
    scope: 'both',
  },
};

/** A command flag as --help and commander take it; `description` replaces the table's. */
function commandFlag(key: keyof CommandFlags, description?: string): FlagSpec {
  const flag: CommandFlag<keyof CommandFlags> = COMMAND_FLAGS[key];
  return {
    flags: flag.flags,
    description: description ?? flag.description,
    ...(flag.alias === null ? {} : { alias: { flags: flag.alias } }),
    scope: flag.scope,
    target: { command: key, parse: flag.parse, repeatable: flag.repeatable },
  };
}

/** A setting's flag as --help and commander take it: its words, default and bounds. */
function settingFlag(id: SettingId, row: AnySetting): FlagSpec[] {
  const flag = row.flag;
  if (flag === null) return [];
  const arg = flag.arg === null ? '' : ` ${flag.arg}`;
  return [
    {
      flags: `${flag.name}${arg}`,
      description: settingFlagWords(row),
      ...(flag.alias === null ? {} : { alias: { flags: `${flag.alias}${arg}` } }),
      scope: row.scope,
      target: { setting: id },
    },
  ];
}

/** "what it does (repeatable) (default 1.5s; 100ms to 1m)"; a boolean's flag turns it off. */
export function settingFlagWords(row: AnySetting): string {
  if (row.kind.name === 'boolean') return `turn off: ${row.help}`;
  const shown = valueWords(row.kind, row.default);
  const bounds = boundsWords(row.kind);
  const about = [
    ...(shown === 'none' || (row.kind.name === 'duration' && row.default === 0)
      ? []
      : [`default ${shown}`]),
    ...(bounds === undefined ? [] : [bounds]),
  ];
  const repeat = row.flag?.repeatable ? ' (repeatable)' : '';
  return `${row.help}${repeat}${about.length > 0 ? ` (${about.join('; ')})` : ''}`;
}

/** The setting flags under one heading of --help, in table order. */
function settingFlags(group: HelpGroup): FlagSpec[] {
  return settingRows()
    .filter(([, row]) => row.flag?.group === group)
    .flatMap(([id, row]) => settingFlag(id, row));
}

const PROBE: CommandSpec = {
  name: 'probe',
  description: 'probe outbound SMTP: once (--once) or as an exporter serving /metrics (default)',
  groups: [
    {
      title: 'Options:',
      flags: [
        commandFlag('once'),
        commandFlag('json'),
        commandFlag('textfile'),
        commandFlag('config'),
        HELP_FLAG,
      ],
    },
    {
      title: 'Targets and timing:',
      flags: [
        commandFlag('domain'),
        commandFlag('host'),
        commandFlag('ports'),
        ...settingFlags('Targets and timing:'),
      ],
    },
    { title: 'Sender reputation:', flags: settingFlags('Sender reputation:') },
    {
      title: 'Exporter (without --once):',
      flags: [...settingFlags('Exporter (without --once):'), commandFlag('webConfigFile')],
    },
    { title: 'Logging:', flags: [commandFlag('logLevel'), commandFlag('logFormat')] },
  ],
  notes: [
    'Results: reachable = a mail server greeted (220); blocked = refused, reset, ' +
      'ICMP-prohibited or turned away (554); filtered = no answer in time (dropped silently, ' +
      'the usual cloud block).\n' +
      `Ports: ${describePorts()}.\n` +
      'Without --domain/--host and without --config.file, the built-in probe set ' +
      '(probes/default.yaml: big mailbox providers on 25, their submission hosts and ' +
      'well-known relays on 587/465) is used. --ports applies to the targets named on the ' +
      'command line, or else to every configured target.',
  ],
};

const CHECK_CONFIG: CommandSpec = {
  name: 'check-config',
  description:
    'validate a config file (and a web config) and print the effective config (exit 2 on errors)',
  groups: [
    {
      title: 'Options:',
      flags: [
        commandFlag('config', 'the YAML config file (default: the built-in probe set)'),
        commandFlag('webConfigFile', 'also check this web config (TLS, basic auth)'),
        HELP_FLAG,
      ],
    },
  ],
  notes: [],
};

export const COMMANDS: readonly CommandSpec[] = [PROBE, CHECK_CONFIG];

/** The long name of a flag spelling: `--ports <list>` → `--ports`, `-h, --help` → `--help`. */
export function longName(flags: string): string {
  return (flags.split(/[ ,]+/).find((part) => part.startsWith('--')) ?? flags).trim();
}

/** What --help shows for a flag: its description, and its older name when it has one. */
export function flagDescription(flag: FlagSpec): string {
  const alias = flag.alias?.flags.split(' ')[0];
  return alias === undefined ? flag.description : `${flag.description} (alias ${alias})`;
}
