// What the commands do once their flags are parsed: `probe` (one pass, or the daemon) and
// `check-config`. Loaded only when a command runs, so `--version` and `--help` never pay for
// the YAML parser, the probe engine or the metrics library.

import { stringify } from 'yaml';
import { DEFAULT_PORTS, DEFAULTS, defaultConfig } from '../config/defaults.js';
import { describeConfig } from '../config/describe.js';
import { formatDuration } from '../config/duration.js';
import { DEFAULT_PROBE_SET, loadConfigFile } from '../config/load.js';
import type { ProbeConfig } from '../config/types.js';
import { exitCodeFor } from '../diagnosis/diagnose.js';
import { createLogger, type Logger } from '../log.js';
import { runPass, type ProgressEvent } from '../probe/pass.js';
import { renderReport } from '../report/render.js';
import type { TargetSpec } from '../types.js';
import type { CliIo } from './io.js';
import { UsageError, type ProbeFlags } from './options.js';

export async function runProbe(flags: ProbeFlags, io: CliIo): Promise<number> {
  if (flags.json && !flags.once)
    throw new UsageError('--json goes with --once (the daemon serves JSON at GET /status)');
  if (flags.textfile !== undefined && !flags.once)
    throw new UsageError('--textfile goes with --once (the daemon serves /metrics)');
  const log = createCliLogger(flags, io);
  const config = await effectiveConfig(flags);
  if (!flags.once) {
    // Loaded only here: a one-shot run needs neither prom-client nor an HTTP server.
    const { runDaemon } = await import('../serve/daemon.js');
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
    const { writeTextfile } = await import('../report/textfile.js');
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

export async function runCheckConfig(flags: { config?: string }, io: CliIo): Promise<number> {
  const path = flags.config ?? DEFAULT_PROBE_SET;
  const config = await loadConfigFile(path);
  io.stdout.write(stringify(describeConfig(config)));
  io.stderr.write(
    `mxprobe: ${path}: config is valid (${config.targets.length} targets, ${config.relays.length} relays)\n`,
  );
  return 0;
}

/** Defaults ← config file (or the built-in probe set) ← flags. */
async function effectiveConfig(flags: ProbeFlags): Promise<ProbeConfig> {
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
        : await loadConfigFile(DEFAULT_PROBE_SET, { minIntervalMs });
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
  // The file's interval was checked against the floor where it was read; the flag's is here.
  if (!flags.once && flags.interval !== undefined && flags.interval < minIntervalMs) {
    throw new UsageError(
      `--interval: ${formatDuration(flags.interval)} is below the floor of ${formatDuration(minIntervalMs)} that keeps mxprobe from hammering mail providers`,
    );
  }
  return config;
}

function createCliLogger(flags: ProbeFlags, io: CliIo): Logger {
  // --once writes its report to stdout, so its logs go to stderr; the daemon logs JSON to
  // stdout for journald, or a human line when a person watches the terminal.
  const stream = flags.once === true ? io.stderr : io.stdout;
  return createLogger({
    level: flags.logLevel ?? (flags.once ? DEFAULTS.onceLogLevel : DEFAULTS.logLevel),
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
