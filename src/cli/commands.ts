// What the commands do once their flags are parsed: `probe` (one pass, or the daemon) and
// `check-config`. Loaded only when a command runs, so `--version` and `--help` never pay for
// the YAML parser, the probe engine or the metrics library. Each says what happened as an
// Outcome; cli/exit-status.ts turns it into the exit status.

import { stringify } from 'yaml';
import { withCanaries } from '../canary/report.js';
import { defaultConfig } from '../config/default-config.js';
import { DEFAULT_PORTS, DEFAULTS } from '../config/defaults.js';
import { describeConfig } from '../config/describe.js';
import { DEFAULT_PROBE_SET, loadConfigFile, loadDefaultProbeSet } from '../config/load.js';
import { applySettings } from '../config/merge.js';
import { preflight, type Prepared } from '../config/preflight.js';
import { SETTINGS } from '../config/settings.js';
import type { ProbeConfig, WebConfig } from '../config/types.js';
import { createLogger, type LogFormat, type Logger } from '../log.js';
import { LocalFailureError, runPass, type ProgressEvent } from '../pass/run.js';
import { renderReport } from '../report/render.js';
import { leanHeap, type LeanHeap } from '../serve/heap.js';
import type { Report, TargetSpec } from '../types.js';
import { describeErrno } from '../util/errno.js';
import { isJournalStream } from '../util/journald.js';
import { printable } from '../util/printable.js';
import { countOf } from '../util/words.js';
import { startCanaries } from './canary-wait.js';
import type { Outcome } from './exit-status.js';
import type { CommandFlags } from './flags.js';
import type { CliIo } from './io.js';
import { checkScopes, type ProbeFlags } from './options.js';
import { UsageError } from './usage-error.js';

export async function runProbe(flags: ProbeFlags, io: CliIo): Promise<Outcome> {
  checkScopes(flags);
  // Before the config is read: the daemon's heap stays small from its first allocation on.
  const heap = flags.command.once === true ? undefined : leanHeap();
  const log = createCliLogger(flags.command, io);
  const prepared = await effectiveConfig(flags, io.env);
  if (heap !== undefined) {
    await serve(flags, prepared, log, io.env, heap);
    return { kind: 'done' };
  }
  for (const warning of prepared.warnings) io.stderr.write(`mxprobe: warning: ${warning}\n`);
  const report = await probeOnce(prepared.config, log, io);
  if (report === undefined) return { kind: 'nothing-probed' };
  writeReport(report, flags.command.json === true, io);
  // After the report: a textfile that cannot be written must not cost the user the answer.
  if (flags.command.textfile !== undefined) await writeMetrics(report, flags.command.textfile);
  return { kind: 'report', report };
}

/** The daemon, until it stops; its config and web config are read anew on every reload. */
async function serve(
  flags: ProbeFlags,
  prepared: Prepared,
  log: Logger,
  env: NodeJS.ProcessEnv,
  heap: LeanHeap,
): Promise<void> {
  for (const warning of prepared.warnings) log.warn(warning);
  // bcrypt, for basic auth, is all JavaScript: too slow for a scrape in the interpreter.
  const webWithHeap = async (): Promise<WebConfig | undefined> => {
    const web = await webConfig(flags.command.webConfigFile);
    if ((web?.basicAuthUsers.size ?? 0) > 0) heap.leaveLean();
    return web;
  };
  const web = await webWithHeap();
  // Resolved once: a reload that names another address is told to wait for a restart.
  const { resolveListenAddress } = await import('./listen-address.js');
  const config = { ...prepared.config, listen: await resolveListenAddress(prepared.config.listen) };
  // Loaded only here: a one-shot run needs neither prom-client nor an HTTP server.
  const { runDaemon } = await import('../serve/daemon.js');
  const reloadConfig = async (): Promise<ProbeConfig> => {
    const next = await effectiveConfig(flags, env);
    for (const warning of next.warnings) log.warn(warning);
    return next.config;
  };
  await runDaemon({
    config,
    reloadConfig,
    web,
    reloadWeb: webWithHeap,
    log,
    afterCycle: (attempts) => heap.afterCycle(attempts),
  });
}

/** One pass, with a progress line on a terminal; undefined when nothing could be probed. */
async function probeOnce(config: ProbeConfig, log: Logger, io: CliIo): Promise<Report | undefined> {
  const progress = io.stderr.isTTY ? progressLine(io.stderr) : undefined;
  const canaries = startCanaries(config, io);
  let report: Report;
  try {
    report = await runPass(config, { log, ...(progress ? { onProgress: progress.update } : {}) });
  } catch (error) {
    await canaries.abandon();
    if (!(error instanceof LocalFailureError)) throw error;
    progress?.clear();
    io.stderr.write(`mxprobe: ${error.message}\n`);
    return undefined;
  }
  progress?.clear();
  return withCanaries(report, await canaries.results());
}

function writeReport(report: Report, json: boolean, io: CliIo): void {
  if (json) {
    io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return;
  }
  const color = Boolean(io.stdout.isTTY) && io.env.NO_COLOR === undefined;
  io.stdout.write(renderReport(report, { color, width: Math.min(io.stdout.columns ?? 100, 110) }));
}

async function writeMetrics(report: Report, path: string): Promise<void> {
  const { writeTextfile } = await import('../report/textfile.js');
  try {
    await writeTextfile(report, path);
  } catch (error) {
    throw new UsageError(
      `--textfile ${printable(path)}: cannot write the metrics: ${describeErrno(error)}`,
    );
  }
}

export async function runCheckConfig(
  flags: Partial<Pick<CommandFlags, 'config' | 'webConfigFile'>>,
  io: CliIo,
): Promise<Outcome> {
  const path = flags.config ?? DEFAULT_PROBE_SET;
  const loaded =
    flags.config !== undefined ? await loadConfigFile(flags.config) : await loadDefaultProbeSet();
  const { config, warnings } = await preflight(loaded, path, io.env);
  const web = await webConfig(flags.webConfigFile);
  io.stdout.write(stringify(describeConfig(config)));
  for (const warning of warnings) io.stderr.write(`mxprobe: warning: ${warning}\n`);
  io.stderr.write(
    `mxprobe: ${printable(path)}: config is valid (${countOf(config.targets.length, 'target')}, ${countOf(config.relays.length, 'relay')})\n`,
  );
  if (web !== undefined)
    io.stderr.write(
      `mxprobe: ${web.source}: web config is valid (${web.tls ? `TLS, client certificates: ${web.tls.clientAuth}` : 'no TLS'}; ${countOf(web.basicAuthUsers.size, 'basic auth user')})\n`,
    );
  return { kind: 'done' };
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
  const { config: file, ports } = flags.command;
  const cliTargets = targetsOf(flags.command);
  // The floor under the file's interval is checked where the file is read.
  const floor = { minIntervalMs: flags.settings.minInterval ?? SETTINGS.minInterval.default };
  const config =
    file !== undefined
      ? await loadConfigFile(file, floor)
      : cliTargets.length > 0
        ? defaultConfig()
        : await loadDefaultProbeSet(floor);
  if (cliTargets.length > 0) config.targets = cliTargets;
  else if (ports !== undefined) config.targets = config.targets.map((t) => ({ ...t, ports }));
  const problems = applySettings(config, flags.settings, (id) => flags.spelling[id] ?? id);
  if (problems[0] !== undefined) throw new UsageError(problems[0]);
  const source = file ?? (cliTargets.length > 0 ? 'the command line' : DEFAULT_PROBE_SET);
  return preflight(config, source, env);
}

/** The targets named by --domain and --host, each on --ports or the default ports. */
function targetsOf(command: Partial<CommandFlags>): TargetSpec[] {
  const ports = command.ports ?? [...DEFAULT_PORTS];
  return [
    ...(command.domain ?? []).map((name) => ({ kind: 'domain' as const, name, ports })),
    ...(command.host ?? []).map((name) => ({ kind: 'host' as const, name, ports })),
  ];
}

function createCliLogger(command: Partial<CommandFlags>, io: CliIo): Logger {
  // --once writes its report to stdout, so its logs go to stderr; the daemon logs to stdout
  // (JSON by default, for journald and log shippers), or a human line when a person watches
  // the terminal and did not ask for a format.
  const stream = command.once === true ? io.stderr : io.stdout;
  const format: LogFormat = command.logFormat ?? (stream.isTTY ? 'human' : 'json');
  return createLogger({
    level: command.logLevel ?? (command.once ? DEFAULTS.onceLogLevel : DEFAULTS.logLevel),
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
