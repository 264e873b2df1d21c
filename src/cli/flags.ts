// The commands and their flags, written once as a table: cli/program.ts builds commander's
// parser from it (with the value parsers of cli/options.ts, by flag name), and cli/help.ts
// renders --help from it without loading commander or the parsers: --help then loads a handful
// of small modules, where commander alone costs about a fifth of a bare Node.js start. The exporter flags carry the names Prometheus
// exporters use (`--web.listen-address`, `--config.file`, `--log.level`); mxprobe's older
// names stay accepted as hidden aliases.

import {
  DEFAULT_DNSBL_ZONES,
  DEFAULT_PORTS,
  DEFAULTS,
  DURATION_BOUNDS,
} from '../config/defaults.js';
import { describeBounds, formatDuration } from '../config/duration.js';
import { describePorts } from '../ports.js';

export interface FlagSpec {
  /** As commander takes it: `--ports <list>`, `--once`, `--no-cloud-detection`. */
  flags: string;
  description: string;
  /** The older name, accepted beside it and never shown by --help. */
  alias?: { flags: string };
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

export const HELP_FLAG: FlagSpec = { flags: '-h, --help', description: 'display help for command' };
export const VERSION_FLAG: FlagSpec = {
  flags: '-V, --version',
  description: 'output the version number',
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
      `run as an exporter: metrics on ${DEFAULTS.listen}`,
    ],
    ['mxprobe check-config --config.file /etc/mxprobe/config.yaml', 'check a config file'],
  ] as const,
  notes: [
    'Exit status of probe --once: 0 every probed port open, 1 a port not open, 2 usage or ' +
      'config error, 3 nothing could be probed (name resolution failed, or this machine could not ' +
      'make the attempts).',
  ],
} as const;

const PROBE: CommandSpec = {
  name: 'probe',
  description: 'probe outbound SMTP: once (--once) or as an exporter serving /metrics (default)',
  groups: [
    {
      title: 'Options:',
      flags: [
        {
          flags: '--once',
          description: 'run one pass, print the report and exit (exit status tells the verdict)',
        },
        {
          flags: '--json',
          description: 'with --once: print the report as one JSON document on stdout',
        },
        {
          flags: '--textfile <path>',
          description:
            "with --once: also write the metrics to this file for node_exporter's textfile collector",
        },
        {
          flags: '--config.file <file>',
          description: 'YAML config file (targets, relays, timeouts, interval)',
          alias: { flags: '--config <file>' },
        },
        HELP_FLAG,
      ],
    },
    {
      title: 'Targets and timing:',
      flags: [
        {
          flags: '--domain <domain>',
          description: 'probe the MX hosts of this mail domain (repeatable)',
        },
        {
          flags: '--host <host>',
          description: "probe this host's own addresses, e.g. a submission server (repeatable)",
        },
        {
          flags: '--ports <list>',
          description: `comma-separated ports (default ${DEFAULT_PORTS.join(',')})`,
        },
        {
          flags: '--family <family>',
          description: `address families to probe: 4, 6 or any (default ${DEFAULTS.family})`,
        },
        {
          flags: '--dns-server <addr[:port]>',
          description:
            'resolve through this DNS server instead of the system resolver (repeatable)',
        },
        {
          flags: '--connect-timeout <ms>',
          description: `give up on a TCP connect after this long: a silent port is "filtered" (default ${DEFAULTS.connectTimeoutMs}; ${describeBounds(DURATION_BOUNDS.connectTimeout)})`,
        },
        {
          flags: '--greeting-timeout <ms>',
          description: `wait this long for the SMTP greeting (or the TLS handshake on 465) (default ${DEFAULTS.greetingTimeoutMs}; ${describeBounds(DURATION_BOUNDS.greetingTimeout)})`,
        },
        {
          flags: '--concurrency <n>',
          description: `attempts in flight to one target (default ${DEFAULTS.concurrency})`,
        },
        {
          flags: '--max-sockets <n>',
          description: `sockets open at once over all destinations, under the open-file limit (default ${DEFAULTS.maxSockets})`,
        },
        {
          flags: '--no-cloud-detection',
          description: 'do not ask cloud metadata services which cloud this is',
        },
      ],
    },
    {
      title: 'Sender reputation:',
      flags: [
        {
          flags: '--dnsbl <zones>',
          description: `DNSBL zones to look the egress addresses up in, comma-separated, or none (default ${DEFAULT_DNSBL_ZONES.join(', ')})`,
        },
        {
          flags: '--egress-address <addr>',
          description: 'the public address this machine sends mail from, when known (repeatable)',
        },
      ],
    },
    {
      title: 'Exporter (without --once):',
      flags: [
        {
          flags: '--web.listen-address <[addr]:port>',
          description: `where /, /metrics, /status, /healthz and /-/reload are served (default ${DEFAULTS.listen}, every interface)`,
          alias: { flags: '--listen <[addr]:port>' },
        },
        {
          flags: '--web.config.file <file>',
          description:
            'TLS and basic auth for every endpoint (the web config file of Prometheus exporters)',
        },
        {
          flags: '--interval <duration>',
          description: `time between probe cycles, e.g. 5m (default ${formatDuration(DEFAULTS.intervalMs)}, at least ${formatDuration(DEFAULTS.minIntervalMs)})`,
        },
        {
          flags: '--min-interval <duration>',
          description: `lower the ${formatDuration(DEFAULTS.minIntervalMs)} floor under --interval (for tests and the lab only)`,
        },
      ],
    },
    {
      title: 'Logging:',
      flags: [
        {
          flags: '--log.level <level>',
          description: `debug, info, warn or error (default ${DEFAULTS.logLevel}; with --once ${DEFAULTS.onceLogLevel})`,
          alias: { flags: '--log-level <level>' },
        },
        {
          flags: '--log.format <format>',
          description:
            'logfmt or json (default: json, or a short line for a person when the log goes to a terminal)',
        },
      ],
    },
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
        {
          flags: '--config.file <file>',
          description: 'the YAML config file (default: the built-in probe set)',
          alias: { flags: '--config <file>' },
        },
        {
          flags: '--web.config.file <file>',
          description: 'also check this web config (TLS, basic auth)',
        },
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
