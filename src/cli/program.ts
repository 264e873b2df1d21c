// The commands and flags as commander parses them, and their --help. Loaded for everything
// but a bare --version; each command's work (cli/commands.ts) is imported when it runs, so
// --help never pays for the YAML parser, the probe engine or the metrics library.

import { Command, CommanderError, Option } from 'commander';
import { DEFAULT_PORTS, DEFAULTS } from '../config/defaults.js';
import { formatDuration } from '../config/duration.js';
import { VERSION } from '../package-root.js';
import { describePorts } from '../ports.js';
import { formatExamples, helpConfiguration, helpWidth, wrap } from './help.js';
import type { CliIo } from './io.js';
import {
  collect,
  durationFlag,
  integerFlag,
  listenFlag,
  parseDnsServerFlag,
  parseFamilyFlag,
  parseLogFormatFlag,
  parseLogLevelFlag,
  parsePortsFlag,
  probeFlags,
  targetName,
  type ProbeOptions,
} from './options.js';

const commands = (): Promise<typeof import('./commands.js')> => import('./commands.js');

/** Parses argv and runs the command; the exit status, 2 for what commander refused. */
export async function runProgram(argv: string[], io: CliIo): Promise<number> {
  let exitCode = 0;
  const program = buildProgram(io, async (run) => {
    exitCode = await run();
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    throw error;
  }
}

const TARGETS = 'Targets and timing:';
const EXPORTER = 'Exporter (without --once):';
const LOGGING = 'Logging:';

/** A flag as Prometheus exporters name it, with mxprobe's older name as a hidden alias. */
function withAlias(command: Command, option: Option, alias: Option): void {
  option.description += ` (alias ${alias.long ?? ''})`;
  command.addOption(option.conflicts(alias.attributeName()));
  command.addOption(alias.hideHelp().conflicts(option.attributeName()));
}

function buildProgram(io: CliIo, record: (run: () => Promise<number>) => Promise<void>): Command {
  const width = helpWidth(io.stdout);
  const program = new Command('mxprobe')
    .description(
      'Tell whether outbound SMTP (ports 25, 587, 465) leaves this machine: each connection is ' +
        'reachable (a mail server greeted), blocked (something said no) or filtered (nothing ' +
        'answered), and the pattern is diagnosed with advice, once or continuously as a ' +
        'Prometheus exporter.',
    )
    .version(VERSION, '-V, --version')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      getOutHelpWidth: () => width,
      getErrHelpWidth: () => helpWidth(io.stderr),
      outputError: (text, write) => write(`mxprobe: ${text.replace(/^error: /, '')}`),
    })
    .configureHelp(helpConfiguration())
    .showSuggestionAfterError(true)
    .addHelpText(
      'after',
      () =>
        `\n${formatExamples(
          'Examples:',
          [
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
          ],
          width,
        )}\n\n${wrap(
          'Exit status of probe --once: 0 every probed port open, 1 a port not open, 2 usage ' +
            'or config error, 3 nothing could be probed (name resolution failed).',
          width,
        )}`,
    );

  const probe = program
    .command('probe')
    .description('probe outbound SMTP: once (--once) or as an exporter serving /metrics (default)')
    .option('--once', 'run one pass, print the report and exit (exit status tells the verdict)')
    .option('--json', 'with --once: print the report as one JSON document on stdout')
    .option(
      '--textfile <path>',
      "with --once: also write the metrics to this file for node_exporter's textfile collector",
    );
  withAlias(
    probe,
    new Option('--config.file <file>', 'YAML config file (targets, relays, timeouts, interval)'),
    new Option('--config <file>'),
  );

  probe.optionsGroup(TARGETS);
  probe
    .option(
      '--domain <domain>',
      'probe the MX hosts of this mail domain (repeatable)',
      collect(targetName('--domain')),
    )
    .option(
      '--host <host>',
      "probe this host's own addresses, e.g. a submission server (repeatable)",
      collect(targetName('--host')),
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
      `attempts in flight at once (default ${DEFAULTS.concurrency})`,
      integerFlag('--concurrency', 1, DEFAULTS.maxConcurrency),
    )
    .option('--no-cloud-detection', 'do not ask cloud metadata services which cloud this is');

  probe.optionsGroup(EXPORTER);
  withAlias(
    probe,
    new Option(
      '--web.listen-address <[addr]:port>',
      `where /, /metrics, /status, /healthz and /-/reload are served (default ${DEFAULTS.listen}, every interface)`,
    ).argParser(listenFlag('--web.listen-address')),
    new Option('--listen <[addr]:port>').argParser(listenFlag('--listen')),
  );
  probe
    .option(
      '--web.config.file <file>',
      'TLS and basic auth for every endpoint (the web config file of Prometheus exporters)',
    )
    .option(
      '--interval <duration>',
      `time between probe cycles, e.g. 5m (default ${formatDuration(DEFAULTS.intervalMs)}, at least ${formatDuration(DEFAULTS.minIntervalMs)})`,
      durationFlag('--interval'),
    )
    .addOption(
      new Option(
        '--min-interval <duration>',
        `lower the ${formatDuration(DEFAULTS.minIntervalMs)} floor under --interval (for tests and the lab only)`,
      ).argParser(durationFlag('--min-interval')),
    );

  probe.optionsGroup(LOGGING);
  withAlias(
    probe,
    new Option(
      '--log.level <level>',
      `debug, info, warn or error (default ${DEFAULTS.logLevel}; with --once ${DEFAULTS.onceLogLevel})`,
    ).argParser(parseLogLevelFlag),
    new Option('--log-level <level>').argParser(parseLogLevelFlag),
  );
  probe
    .addOption(
      new Option(
        '--log.format <format>',
        'logfmt or json (default: json, or a short line for a person when the log goes to a terminal)',
      ).argParser(parseLogFormatFlag),
    )
    .addHelpText(
      'after',
      () =>
        `\n${wrap(
          'Results: reachable = a mail server greeted (220); blocked = refused, reset, ' +
            'ICMP-prohibited or turned away (554); filtered = no answer in time (dropped ' +
            'silently, the usual cloud block).\n' +
            `Ports: ${describePorts()}.\n` +
            'Without --domain/--host and without --config.file, the built-in probe set ' +
            '(probes/default.yaml: big mailbox providers on 25, their submission hosts and ' +
            'well-known relays on 587/465) is used. --ports applies to the targets named on ' +
            'the command line, or else to every configured target.',
          width,
        )}`,
    )
    .action(async (options: ProbeOptions) => {
      await record(async () => (await commands()).runProbe(probeFlags(options), io));
    });

  const checkConfig = program
    .command('check-config')
    .description(
      'validate a config file (and a web config) and print the effective config (exit 2 on errors)',
    );
  withAlias(
    checkConfig,
    new Option('--config.file <file>', 'the YAML config file (default: the built-in probe set)'),
    new Option('--config <file>'),
  );
  checkConfig
    .option('--web.config.file <file>', 'also check this web config (TLS, basic auth)')
    .action(async (options: Record<string, string | undefined>) => {
      const flags = {
        config: options['config.file'] ?? options.config,
        webConfigFile: options['web.config.file'],
      };
      await record(async () => (await commands()).runCheckConfig(flags, io));
    });
  return program;
}
