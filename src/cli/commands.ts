// What the commands do once their flags are parsed: `probe` (one pass, or the daemon) and
// `check-config`. Loaded only when a command runs, so `--version` and `--help` never pay for
// the YAML parser, the probe engine or the metrics library.

import { stringify } from 'yaml';
import { withCanaries } from '../canary/report.js';
import { defaultConfig } from '../config/default-config.js';
import { DEFAULT_PORTS, DEFAULTS } from '../config/defaults.js';
import { describeConfig } from '../config/describe.js';
import { formatDuration } from '../config/duration.js';
import { DEFAULT_PROBE_SET, loadConfigFile, loadDefaultProbeSet } from '../config/load.js';
import { preflight, type Prepared } from '../config/preflight.js';
import type { ProbeConfig, WebConfig } from '../config/types.js';
import { exitCodeFor } from '../diagnosis/diagnose.js';
import { createLogger, type LogFormat, type Logger } from '../log.js';
import { LocalFailureError, runPass, type ProgressEvent } from '../probe/pass.js';
import { renderReport } from '../report/render.js';
import type { Report, TargetSpec } from '../types.js';
import { describeErrno } from '../util/errno.js';
import { isJournalStream } from '../util/journald.js';
import { printable } from '../util/printable.js';
import type { CliIo } from './io.js';
import type { ProbeFlags } from './options.js';
import { UsageError } from './usage-error.js';

export async function runProbe(flags: ProbeFlags, io: CliIo): Promise<number> {
  if (flags.json && !flags.once)
    throw new UsageError('--json goes with --once (the daemon serves JSON at GET /status)');
  if (flags.textfile !== undefined && !flags.once)
    throw new UsageError('--textfile goes with --once (the daemon serves /metrics)');
  if (flags.webConfigFile !== undefined && flags.once)
    throw new UsageError('--web.config.file goes with the daemon (without --once)');
  const log = createCliLogger(flags, io);
  const { config, warnings } = await effectiveConfig(flags, io.env);
  if (!flags.once) {
    for (const warning of warnings) log.warn(warning);
    const web = await webConfig(flags.webConfigFile);
    // Loaded only here: a one-shot run needs neither prom-client nor an HTTP server.
    const { runDaemon } = await import('../serve/daemon.js');
    const reloadConfig = async (): Promise<ProbeConfig> => {
      const prepared = await effectiveConfig(flags, io.env);
      for (const warning of prepared.warnings) log.warn(warning);
      return prepared.config;
    };
    await runDaemon({
      config,
      reloadConfig,
      web,
      reloadWeb: () => webConfig(flags.webConfigFile),
      log,
    });
    return 0;
  }
  for (const warning of warnings) io.stderr.write(`mxprobe: warning: ${warning}\n`);

  const progress = io.stderr.isTTY ? progressLine(io.stderr) : undefined;
  const canariesDone = new AbortController();
  // Loaded only with canaries: imapflow is not a cost of every probe.
  const canaries =
    config.canaries.length === 0
      ? Promise.resolve([])
      : import('../canary/once.js').then(({ runCanariesOnce }) =>
          runCanariesOnce(config, { signal: canariesDone.signal, ...canaryLine(io) }),
        );
  let report: Report;
  try {
    report = await runPass(config, {
      log,
      ...(progress ? { onProgress: progress.update } : {}),
    });
  } catch (error) {
    canariesDone.abort();
    await canaries;
    if (!(error instanceof LocalFailureError)) throw error;
    progress?.clear();
    io.stderr.write(`mxprobe: ${error.message}\n`);
    return 3;
  }
  progress?.clear();
  report = withCanaries(report, await canaries);
  if (flags.json) {
    io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    const color = Boolean(io.stdout.isTTY) && io.env.NO_COLOR === undefined;
    io.stdout.write(
      renderReport(report, { color, width: Math.min(io.stdout.columns ?? 100, 110) }),
    );
  }
  // After the report: a textfile that cannot be written must not cost the user the answer.
  if (flags.textfile !== undefined) {
    const { writeTextfile } = await import('../report/textfile.js');
    try {
      await writeTextfile(report, flags.textfile);
    } catch (error) {
      throw new UsageError(
        `--textfile ${printable(flags.textfile)}: cannot write the metrics: ${describeErrno(error)}`,
      );
    }
  }
  return exitCodeFor(report.diagnosis, report.ports);
}

export async function runCheckConfig(
  flags: { config: string | undefined; webConfigFile: string | undefined },
  io: CliIo,
): Promise<number> {
  const path = flags.config ?? DEFAULT_PROBE_SET;
  const loaded =
    flags.config !== undefined ? await loadConfigFile(flags.config) : await loadDefaultProbeSet();
  const { config, warnings } = await preflight(loaded, path, io.env);
  const web = await webConfig(flags.webConfigFile);
  io.stdout.write(stringify(describeConfig(config)));
  for (const warning of warnings) io.stderr.write(`mxprobe: warning: ${warning}\n`);
  io.stderr.write(
    `mxprobe: ${printable(path)}: config is valid (${config.targets.length} targets, ${config.relays.length} relays)\n`,
  );
  if (web !== undefined)
    io.stderr.write(
      `mxprobe: ${web.source}: web config is valid (${web.tls ? `TLS, client certificates: ${web.tls.clientAuth}` : 'no TLS'}; ${web.basicAuthUsers.size} basic auth users)\n`,
    );
  return 0;
}

/** The web config, read anew at start and on every reload; none without --web.config.file. */
async function webConfig(path: string | undefined): Promise<WebConfig | undefined> {
  if (path === undefined) return undefined;
  const { loadWebConfig } = await import('../config/web.js');
  return loadWebConfig(path);
}

/**
 * Defaults ← config file (or the built-in probe set) ← flags, then what the machine must
 * provide (config/preflight.ts: relay passwords), with duplicate targets merged.
 */
async function effectiveConfig(flags: ProbeFlags, env: NodeJS.ProcessEnv): Promise<Prepared> {
  const ports = flags.ports ?? [...DEFAULT_PORTS];
  const cliTargets: TargetSpec[] = [
    ...flags.domain.map((name) => ({ kind: 'domain' as const, name, ports })),
    ...flags.host.map((name) => ({ kind: 'host' as const, name, ports })),
  ];
  const minIntervalMs = flags.minInterval ?? DEFAULTS.minIntervalMs;
  const config =
    flags.config !== undefined
      ? await loadConfigFile(flags.config, { minIntervalMs })
      : cliTargets.length > 0
        ? defaultConfig()
        : await loadDefaultProbeSet({ minIntervalMs });
  if (cliTargets.length > 0) config.targets = cliTargets;
  else if (flags.ports)
    config.targets = config.targets.map((t) => ({ ...t, ports: flags.ports ?? t.ports }));
  if (flags.family !== undefined) config.family = flags.family;
  if (flags.dnsServer.length > 0) config.dnsServers = flags.dnsServer;
  if (flags.connectTimeout !== undefined) config.connectTimeoutMs = flags.connectTimeout;
  if (flags.greetingTimeout !== undefined) config.greetingTimeoutMs = flags.greetingTimeout;
  if (flags.concurrency !== undefined) config.concurrency = flags.concurrency;
  if (flags.maxSockets !== undefined) config.maxSockets = flags.maxSockets;
  if (flags.listen !== undefined) config.listen = flags.listen;
  if (flags.interval !== undefined) config.intervalMs = flags.interval;
  config.minIntervalMs = minIntervalMs;
  if (!flags.cloudDetection) config.cloud.enabled = false;
  if (flags.dnsbl !== undefined) config.reputation.dnsbl = flags.dnsbl;
  if (flags.egressAddress.length > 0) config.reputation.egressAddresses = flags.egressAddress;
  // The file's interval was checked against the floor where it was read; the flag's is here.
  if (!flags.once && flags.interval !== undefined && flags.interval < minIntervalMs) {
    throw new UsageError(
      `--interval: ${formatDuration(flags.interval)} is below the floor of ${formatDuration(minIntervalMs)} that keeps mxprobe from hammering mail providers`,
    );
  }
  const source = flags.config ?? (cliTargets.length > 0 ? 'the command line' : DEFAULT_PROBE_SET);
  return preflight(config, source, env);
}

function createCliLogger(flags: ProbeFlags, io: CliIo): Logger {
  // --once writes its report to stdout, so its logs go to stderr; the daemon logs to stdout
  // (JSON by default, for journald and log shippers), or a human line when a person watches
  // the terminal and did not ask for a format.
  const stream = flags.once === true ? io.stderr : io.stdout;
  const format: LogFormat = flags.logFormat ?? (stream.isTTY ? 'human' : 'json');
  return createLogger({
    level: flags.logLevel ?? (flags.once ? DEFAULTS.onceLogLevel : DEFAULTS.logLevel),
    format,
    syslogPriority: isJournalStream(io.env.JOURNAL_STREAM, stream.fd),
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

/** The canaries' wait, as one line that rewrites itself on a terminal (stderr). */
function canaryLine(io: CliIo): { show?: (line: string) => void } {
  if (io.stderr.isTTY !== true) return {};
  return { show: (line) => io.stderr.write(`\r${line}\x1b[K`) };
}
