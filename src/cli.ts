// The command line (CONTRACT §5). The only module that reads argv, writes the report to stdout
// and decides the exit status; user mistakes become one line on stderr and exit 2.

import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { stringify } from 'yaml';
import {
  ConfigError,
  DEFAULT_PORTS,
  DEFAULT_PROBE_SET,
  defaultConfig,
  describeConfig,
  isValidTargetName,
  loadConfigFile,
  loadDefaultProbeSet,
  normalizeDnsServer,
  parseFamily,
  parseListen,
  parsePortList,
} from './config.js';
import type { ProbeConfig } from './config-types.js';
import { exitCodeFor } from './diagnose.js';
import { parseDurationMs } from './duration.js';
import { createLogger, isLogLevel, type Logger, type LogLevel } from './log.js';
import { runPass, type ProgressEvent } from './probe.js';
import { VERSION } from './package-root.js';
import { renderReport } from './render.js';
import type { FamilyChoice, TargetSpec } from './types.js';

/** What `probe` accepts; every value already checked by its option's parser. */
interface ProbeFlags {
  once?: boolean;
  json?: boolean;
  config?: string;
  domain: string[];
  host: string[];
  ports?: number[];
  family?: FamilyChoice;
  dnsServer: string[];
  connectTimeout?: number;
  greetingTimeout?: number;
  listen?: string;
  interval?: number;
  minInterval?: number;
  concurrency?: number;
  logLevel?: LogLevel;
  textfile?: string;
  cloudDetection: boolean;
}

export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

const defaultIo = (): CliIo => ({
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
});

/** Runs the CLI and returns the exit status; never calls process.exit. */
export async function main(argv: string[], io: CliIo = defaultIo()): Promise<number> {
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

class UsageError extends Error {}

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
  mxprobe probe --once --domain example.com     probe the MX hosts of one domain on 25, 587, 465
  mxprobe probe --once --host smtp.example.com --ports 587,465 --json
  mxprobe probe --config /etc/mxprobe/config.yaml   run as a daemon, metrics on :9725
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
        'address families to probe: 4, 6 or any (default any)',
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
      'give up on a TCP connect after this long: a silent port is "filtered" (default 1500)',
      durationFlag('--connect-timeout'),
    )
    .option(
      '--greeting-timeout <ms>',
      'wait this long for the SMTP greeting (or the TLS handshake on 465) (default 10000)',
      durationFlag('--greeting-timeout'),
    )
    .option(
      '--concurrency <n>',
      'attempts in flight at once (default 16)',
      integerFlag('--concurrency', 1, 256),
    )
    .option(
      '--listen <addr:port>',
      'daemon: where /metrics, /status and /healthz are served (default :9725)',
      parseListenFlag,
    )
    .option(
      '--interval <duration>',
      'daemon: time between probe cycles, e.g. 5m (at least 60s)',
      durationFlag('--interval'),
    )
    .addOption(
      new Option(
        '--min-interval <duration>',
        'daemon: lower the 60s floor under --interval (for tests and the lab only)',
      )
        .argParser(durationFlag('--min-interval'))
        .hideHelp(false),
    )
    .option(
      '--textfile <path>',
      "with --once: also write the metrics to this file for node_exporter's textfile collector",
    )
    .addOption(
      new Option('--log-level <level>', 'debug, info, warn or error (default info)').argParser(
        parseLogLevelFlag,
      ),
    )
    .option('--no-cloud-detection', 'do not ask cloud metadata services which cloud this is')
    .addHelpText(
      'after',
      `
Results: reachable = a mail server greeted (220); blocked = refused, reset, ICMP-prohibited or
turned away (554); filtered = no answer in time (dropped silently, the usual cloud block).
Without --domain/--host and without --config, the built-in probe set (probes/default.yaml:
big mailbox providers on 25, their submission hosts and well-known relays on 587/465) is used.
--ports applies to the targets named on the command line, or else to every configured target.`,
    )
    .action(async (flags: ProbeFlags) => {
      await record(() => runProbe(flags, io));
    });

  program
    .command('check-config')
    .description('validate a config file and print the effective config (exit 2 on errors)')
    .option('--config <file>', 'the YAML config file (default: the built-in probe set)')
    .action(async (flags: { config?: string }) => {
      await record(async () => {
        const config =
          flags.config !== undefined
            ? await loadConfigFile(flags.config)
            : await loadDefaultProbeSet();
        io.stdout.write(stringify(describeConfig(config)));
        io.stderr.write(
          `mxprobe: ${flags.config ?? DEFAULT_PROBE_SET}: config is valid (${config.targets.length} targets, ${config.relays.length} relays)\n`,
        );
        return 0;
      });
    });
  return program;
}

async function runProbe(flags: ProbeFlags, io: CliIo): Promise<number> {
  if (flags.json && !flags.once)
    throw new UsageError('--json goes with --once (the daemon serves JSON at GET /status)');
  if (flags.textfile !== undefined && !flags.once)
    throw new UsageError('--textfile goes with --once (the daemon serves /metrics)');
  const log = createCliLogger(flags, io);
  const config = await effectiveConfig(flags);
  if (!flags.once) {
    if (config.intervalMs < config.minIntervalMs) {
      throw new UsageError(
        `--interval: ${config.intervalMs / 1000}s is below the floor of ${config.minIntervalMs / 1000}s that keeps mxprobe from hammering mail providers`,
      );
    }
    // Loaded only here: a one-shot run needs neither prom-client nor an HTTP server.
    const { runDaemon } = await import('./daemon.js');
    await runDaemon({ config, reloadConfig: () => effectiveConfig(flags), log });
    return 0;
  }

  const progress = io.stderr.isTTY ? progressLine(io.stderr) : undefined;
  const report = await runPass(config, {
    log,
    ...(progress ? { onProgress: progress.update } : {}),
  });
  progress?.clear();
  if (flags.textfile !== undefined) {
    const { writeTextfile } = await import('./textfile.js');
    await writeTextfile(report, flags.textfile);
  }
  if (flags.json) {
    io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    const color = Boolean(io.stdout.isTTY) && io.env.NO_COLOR === undefined;
    io.stdout.write(
      renderReport(report, { color, width: Math.min(io.stdout.columns ?? 100, 110) }),
    );
  }
  return exitCodeFor(report.diagnosis, report.ports);
}

/** Defaults ← config file (or the built-in probe set) ← flags. */
async function effectiveConfig(flags: ProbeFlags): Promise<ProbeConfig> {
  const cliTargets: TargetSpec[] = [
    ...flags.domain.map((name) => ({
      kind: 'domain' as const,
      name,
      ports: flags.ports ?? [...DEFAULT_PORTS],
    })),
    ...flags.host.map((name) => ({
      kind: 'host' as const,
      name,
      ports: flags.ports ?? [...DEFAULT_PORTS],
    })),
  ];
  const config =
    flags.config !== undefined
      ? await loadConfigFile(flags.config)
      : cliTargets.length > 0
        ? defaultConfig()
        : await loadDefaultProbeSet();
  if (cliTargets.length > 0) config.targets = cliTargets;
  else if (flags.ports)
    config.targets = config.targets.map((t) => ({ ...t, ports: flags.ports ?? t.ports }));
  if (flags.family !== undefined) config.family = flags.family;
  if (flags.dnsServer.length > 0) config.dnsServers = flags.dnsServer;
  if (flags.connectTimeout !== undefined) config.connectTimeoutMs = flags.connectTimeout;
  if (flags.greetingTimeout !== undefined) config.greetingTimeoutMs = flags.greetingTimeout;
  if (flags.concurrency !== undefined) config.concurrency = flags.concurrency;
  if (flags.listen !== undefined) config.listen = flags.listen;
  if (flags.interval !== undefined) config.intervalMs = flags.interval;
  if (flags.minInterval !== undefined) config.minIntervalMs = flags.minInterval;
  if (!flags.cloudDetection) config.cloud.enabled = false;
  return config;
}

function createCliLogger(flags: ProbeFlags, io: CliIo): Logger {
  // --once writes its report to stdout, so its logs go to stderr; the daemon logs JSON to
  // stdout for journald, or a human line when a person watches the terminal.
  const toStderr = flags.once === true;
  const stream = toStderr ? io.stderr : io.stdout;
  return createLogger({
    level: flags.logLevel ?? (flags.once ? 'warn' : 'info'),
    format: stream.isTTY ? 'human' : 'json',
    write: (line) => stream.write(`${line}\n`),
  });
}

function progressLine(stream: NodeJS.WritableStream): {
  update: (e: ProgressEvent) => void;
  clear: () => void;
} {
  return {
    update: (event) => {
      const what = event.phase === 'resolve' ? 'resolved targets' : 'attempts done';
      stream.write(`\r\x1b[2Kmxprobe: ${event.done}/${event.total} ${what}…`);
    },
    clear: () => stream.write('\r\x1b[2K'),
  };
}

// Option parsers: each names its flag in the error, which commander prints as one line.

function collect<T>(parse: (value: string) => T): (value: string, previous: T[]) => T[] {
  return (value, previous) => [...previous, parse(value)];
}

function targetName(flag: string): (value: string) => string {
  return (value) => {
    if (!isValidTargetName(value))
      throw new InvalidArgumentError(`${flag} expects a domain or host name, got "${value}".`);
    return value.replace(/\.$/, '').toLowerCase();
  };
}

function parsePortsFlag(value: string): number[] {
  const ports = parsePortList(value);
  if (!ports)
    throw new InvalidArgumentError(
      'expected comma-separated ports from 1 to 65535, e.g. 25,587,465.',
    );
  return ports;
}

function parseFamilyFlag(value: string): FamilyChoice {
  const family = parseFamily(value);
  if (family === undefined) throw new InvalidArgumentError('expected 4, 6 or any.');
  return family;
}

function parseDnsServerFlag(value: string): string {
  const server = normalizeDnsServer(value);
  if (!server)
    throw new InvalidArgumentError(
      'expected an IP address with an optional port, e.g. 192.0.2.53 or [2001:db8::53]:5353.',
    );
  return server;
}

function parseListenFlag(value: string): string {
  if (!parseListen(value))
    throw new InvalidArgumentError('expected [ADDR]:PORT, e.g. :9725 or 127.0.0.1:9725.');
  return value;
}

function parseLogLevelFlag(value: string): LogLevel {
  if (!isLogLevel(value)) throw new InvalidArgumentError('expected debug, info, warn or error.');
  return value;
}

function durationFlag(flag: string): (value: string) => number {
  return (value) => {
    const ms = parseDurationMs(value);
    if (ms === undefined || ms <= 0)
      throw new InvalidArgumentError(
        `${flag} expects a duration in ms or with a unit, e.g. 2500, 2.5s, 5m.`,
      );
    return ms;
  };
}

function integerFlag(flag: string, min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(`${flag} expects a whole number from ${min} to ${max}.`);
    return n;
  };
}
