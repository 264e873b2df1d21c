// The command line. The only module that reads argv and decides the exit status; user mistakes
// become one line on stderr and exit 2. It loads only what parsing and --help need: each
// command's work (cli/commands.ts) is imported when the command runs.

import { Command, CommanderError, Option } from 'commander';
import { DEFAULT_PORTS, DEFAULTS } from '../config/defaults.js';
import { formatDuration } from '../config/duration.js';
import { ConfigError } from '../config/error.js';
import { VERSION } from '../package-root.js';
import { describePorts } from '../ports.js';
import { processIo, type CliIo } from './io.js';
import {
  collect,
  durationFlag,
  integerFlag,
  parseDnsServerFlag,
  parseFamilyFlag,
  parseListenFlag,
  parseLogLevelFlag,
  parsePortsFlag,
  targetName,
  UsageError,
  type ProbeFlags,
} from './options.js';

export type { CliIo } from './io.js';

/** Runs the CLI and returns the exit status; never calls process.exit. */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  let exitCode = 0;
  const program = buildProgram(io, async (run) => {
    exitCode = await run();
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? 0 : 2;
    }
    if (error instanceof ConfigError || error instanceof UsageError) {
      io.stderr.write(`mxprobe: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

const commands = (): Promise<typeof import('./commands.js')> => import('./commands.js');

function buildProgram(io: CliIo, record: (run: () => Promise<number>) => Promise<void>): Command {
  const program = new Command('mxprobe')
    .description(
      'Tell whether outbound SMTP (ports 25, 587, 465) leaves this machine: each connection is\n' +
        'reachable (a mail server greeted), blocked (something said no) or filtered (nothing\n' +
        'answered), and the pattern is diagnosed with advice, once or continuously as a\n' +
        'Prometheus exporter.',
    )
    .version(VERSION, '-V, --version')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: (text, write) => write(`mxprobe: ${text.replace(/^error: /, '')}`),
    })
    .showSuggestionAfterError(true)
    .addHelpText(
      'after',
      `
Examples:
  mxprobe probe --once                          probe the built-in set of mail providers
  mxprobe probe --once --domain example.com     probe the MX hosts of one domain on ${DEFAULT_PORTS.join(', ')}
  mxprobe probe --once --host smtp.example.com --ports 587,465 --json
  mxprobe probe --config /etc/mxprobe/config.yaml   run as a daemon, metrics on ${DEFAULTS.listen}
  mxprobe check-config --config /etc/mxprobe/config.yaml

Exit status of probe --once: 0 every probed port open, 1 a port not open, 2 usage or
config error, 3 nothing could be probed (name resolution failed).`,
    );

  program
    .command('probe')
    .description('probe outbound SMTP: once (--once) or as a daemon serving /metrics (default)')
    .option('--once', 'run one pass, print the report and exit (exit status tells the verdict)')
    .option('--json', 'with --once: print the report as one JSON document on stdout')
    .option('--config <file>', 'YAML config file (targets, relays, timeouts, interval)')
    .option(
      '--domain <domain>',
      'probe the MX hosts of this mail domain (repeatable)',
      collect(targetName('--domain')),
      [],
    )
    .option(
      '--host <host>',
      "probe this host's own addresses, e.g. a submission server (repeatable)",
      collect(targetName('--host')),
      [],
    )
    .option(
      '--ports <list>',
      `comma-separated ports (default ${DEFAULT_PORTS.join(',')})`,
      parsePortsFlag,
    )
    .addOption(
      new Option(
        '--family <family>',
        `address families to probe: 4, 6 or any (default ${DEFAULTS.family})`,
      ).argParser(parseFamilyFlag),
    )
    .option(
      '--dns-server <addr[:port]>',
      'resolve through this DNS server instead of the system resolver (repeatable)',
      collect(parseDnsServerFlag),
      [],
    )
    .option(
      '--connect-timeout <ms>',
      `give up on a TCP connect after this long: a silent port is "filtered" (default ${DEFAULTS.connectTimeoutMs})`,
      durationFlag('--connect-timeout'),
    )
    .option(
      '--greeting-timeout <ms>',
      `wait this long for the SMTP greeting (or the TLS handshake on 465) (default ${DEFAULTS.greetingTimeoutMs})`,
      durationFlag('--greeting-timeout'),
    )
    .option(
      '--concurrency <n>',
      `attempts in flight to one target (default ${DEFAULTS.concurrency})`,
      integerFlag('--concurrency', 1, DEFAULTS.maxConcurrency),
    )
    .option(
      '--max-sockets <n>',
      `sockets open at once over all destinations, under the open-file limit (default ${DEFAULTS.maxSockets})`,
      integerFlag('--max-sockets', 1, DEFAULTS.maxMaxSockets),
    )
    .option(
      '--listen <addr:port>',
      `daemon: where /metrics, /status and /healthz are served (default ${DEFAULTS.listen})`,
      parseListenFlag,
    )
    .option(
      '--interval <duration>',
      `daemon: time between probe cycles, e.g. 5m (default ${formatDuration(DEFAULTS.intervalMs)}, at least ${formatDuration(DEFAULTS.minIntervalMs)})`,
      durationFlag('--interval'),
    )
    .addOption(
      new Option(
        '--min-interval <duration>',
        `daemon: lower the ${formatDuration(DEFAULTS.minIntervalMs)} floor under --interval (for tests and the lab only)`,
      ).argParser(durationFlag('--min-interval')),
    )
    .option(
      '--textfile <path>',
      "with --once: also write the metrics to this file for node_exporter's textfile collector",
    )
    .addOption(
      new Option(
        '--log-level <level>',
        `debug, info, warn or error (default ${DEFAULTS.logLevel}; with --once ${DEFAULTS.onceLogLevel})`,
      ).argParser(parseLogLevelFlag),
    )
    .option('--no-cloud-detection', 'do not ask cloud metadata services which cloud this is')
    .addHelpText(
      'after',
      `
Results: reachable = a mail server greeted (220); blocked = refused, reset, ICMP-prohibited or
turned away (554); filtered = no answer in time (dropped silently, the usual cloud block).
Ports: ${describePorts()}.
Without --domain/--host and without --config, the built-in probe set (probes/default.yaml:
big mailbox providers on 25, their submission hosts and well-known relays on 587/465) is used.
--ports applies to the targets named on the command line, or else to every configured target.`,
    )
    .action(async (flags: ProbeFlags) => {
      await record(async () => (await commands()).runProbe(flags, io));
    });

  program
    .command('check-config')
    .description('validate a config file and print the effective config (exit 2 on errors)')
    .option('--config <file>', 'the YAML config file (default: the built-in probe set)')
    .action(async (flags: { config?: string }) => {
      await record(async () => (await commands()).runCheckConfig(flags, io));
    });
  return program;
}
