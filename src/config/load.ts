// The config file: parsed with `yaml`, validated by hand so that every mistake becomes one
// sentence naming the file, line, field and what was expected. Unknown keys are errors: a typo
// must never silently leave a default in force.

import { readCanaries } from '../canary/config.js';
import { DEFAULT_PROBE_SET, DEFAULT_PROBE_SET_TEXT } from '../package-root.js';
import { defaultConfig } from './default-config.js';
import { DEFAULTS, DURATION_BOUNDS } from './defaults.js';
import { ConfigError } from './error.js';
import {
  readCloudDetection,
  readMetrics,
  readRelays,
  readReputation,
  readTargets,
} from './sections.js';
import type { ProbeConfig } from './types.js';
import { isPlainObject, Validator } from './validator.js';
import { readConfigText } from './text-file.js';
import { readYaml } from './yaml-source.js';

export type { ProbeConfig } from './types.js';

/** The built-in probe set, used when neither targets nor a config file are given. */
export { DEFAULT_PROBE_SET } from '../package-root.js';

export const TOP_LEVEL_KEYS = [
  'interval',
  'splay',
  'listen',
  'connectTimeout',
  'greetingTimeout',
  'dnsServers',
  'family',
  'concurrency',
  'maxSockets',
  'hostSpacing',
  'cloudDetection',
  'targets',
  'relays',
  'reputation',
  'metrics',
  'canaries',
] as const;

export interface ParseOptions {
  /** The floor under `interval`; --min-interval lowers it for tests and the lab. */
  minIntervalMs?: number;
}

/** Reads and validates a config file; the result still lacks command-line overrides. */
export async function loadConfigFile(
  path: string,
  options: ParseOptions = {},
): Promise<ProbeConfig> {
  return parseConfig(await readConfigText(path), path, options);
}

/** The built-in probe set (probes/default.yaml): embedded in the executable, else a file. */
export async function loadDefaultProbeSet(options: ParseOptions = {}): Promise<ProbeConfig> {
  return DEFAULT_PROBE_SET_TEXT === undefined
    ? loadConfigFile(DEFAULT_PROBE_SET, options)
    : parseConfig(DEFAULT_PROBE_SET_TEXT, DEFAULT_PROBE_SET, options);
}

/** --min-interval lowers the canaries' 15-minute floor too, for tests and the lab. */
function canaryFloor(options: ParseOptions): { minIntervalMs?: number } {
  return options.minIntervalMs === undefined ? {} : { minIntervalMs: options.minIntervalMs };
}

/** Validates config text; `file` names the file in every message. Pure. */
export function parseConfig(text: string, file: string, options: ParseOptions = {}): ProbeConfig {
  const { raw, at, source } = readYaml(text, file);
  if (raw === null || raw === undefined) {
    throw new ConfigError([
      `${source}: the file is empty; expected a mapping with at least "targets"`,
    ]);
  }
  if (!isPlainObject(raw)) {
    throw new ConfigError([`${source}: expected a mapping of settings at the top level`]);
  }
  const problems: string[] = [];
  const v = new Validator(problems, at);
  const config = defaultConfig();
  v.keys(raw, [], TOP_LEVEL_KEYS);
  if ('interval' in raw) {
    config.intervalMs = v.durationAtLeast(
      raw.interval,
      ['interval'],
      DURATION_BOUNDS.interval,
      options.minIntervalMs ?? DEFAULTS.minIntervalMs,
      'the floor that keeps mxprobe from hammering mail providers',
    );
  }
  if ('splay' in raw) {
    config.splayMs = v.duration(raw.splay, ['splay'], DURATION_BOUNDS.splay);
    if (config.splayMs > config.intervalMs)
      v.fail(
        ['splay'],
        'at most the interval (a first cycle later than that would skip one)',
        raw.splay,
      );
  }
  if ('listen' in raw) config.listen = v.listen(raw.listen, ['listen'], config.listen);
  if ('connectTimeout' in raw)
    config.connectTimeoutMs = v.duration(
      raw.connectTimeout,
      ['connectTimeout'],
      DURATION_BOUNDS.connectTimeout,
    );
  if ('greetingTimeout' in raw)
    config.greetingTimeoutMs = v.duration(
      raw.greetingTimeout,
      ['greetingTimeout'],
      DURATION_BOUNDS.greetingTimeout,
    );
  if ('dnsServers' in raw) config.dnsServers = v.dnsServers(raw.dnsServers, ['dnsServers']);
  if ('family' in raw) config.family = v.family(raw.family, ['family']);
  if ('concurrency' in raw)
    config.concurrency = v.integer(raw.concurrency, ['concurrency'], 1, DEFAULTS.maxConcurrency);
  if ('maxSockets' in raw)
    config.maxSockets = v.integer(raw.maxSockets, ['maxSockets'], 1, DEFAULTS.maxMaxSockets);
  if ('hostSpacing' in raw)
    config.hostSpacingMs = v.duration(
      raw.hostSpacing,
      ['hostSpacing'],
      DURATION_BOUNDS.hostSpacing,
    );
  if ('cloudDetection' in raw)
    config.cloud = readCloudDetection(v, raw.cloudDetection, ['cloudDetection']);
  if (!('targets' in raw)) {
    problems.push(`${source}: targets: missing; expected a list of targets (domain: or host:)`);
  } else {
    config.targets = readTargets(v, raw.targets, ['targets']);
  }
  if ('relays' in raw) config.relays = readRelays(v, raw.relays, ['relays']);
  if ('reputation' in raw) config.reputation = readReputation(v, raw.reputation, ['reputation']);
  if ('metrics' in raw) config.metrics = readMetrics(v, raw.metrics, ['metrics']);
  if ('canaries' in raw)
    config.canaries = readCanaries(v, raw.canaries, ['canaries'], {
      relays: config.relays,
      ...canaryFloor(options),
    });
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
