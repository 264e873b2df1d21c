// The config file: parsed with `yaml`, validated by hand so that every mistake becomes one
// sentence naming the file, line, field and what was expected. Unknown keys are errors: a typo
// must never silently leave a default in force.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isMap, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { PACKAGE_ROOT } from '../package-root.js';
import { describeErrno } from '../util/errno.js';
import { DEFAULTS, defaultConfig } from './defaults.js';
import { ConfigError } from './error.js';
import { readCloudDetection, readRelays, readTargets } from './sections.js';
import type { ProbeConfig } from './types.js';
import { formatPath, isPlainObject, Validator, type Path } from './validator.js';

export type { ProbeConfig } from './types.js';

/** The built-in probe set, used when neither targets nor a config file are given. */
export const DEFAULT_PROBE_SET = join(PACKAGE_ROOT, 'probes', 'default.yaml');

export const TOP_LEVEL_KEYS = [
  'interval',
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
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError([`${path}: cannot read config file: ${describeErrno(error)}`], {
      cause: error,
    });
  }
  return parseConfig(text, path, options);
}

/** Validates config text; `source` names the file in every message. Pure. */
export function parseConfig(text: string, source: string, options: ParseOptions = {}): ProbeConfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((e) => {
        const line = e.linePos?.[0].line;
        return `${source}${line ? `:${line}` : ''}: invalid YAML: ${e.message.split('\n')[0]}`;
      }),
    );
  }
  const at = (path: Path): string => {
    const node = doc.getIn(path, true) as Node | undefined;
    const offset = node?.range?.[0] ?? keyOffset(doc, path);
    const line = offset === undefined ? undefined : lines.linePos(offset).line;
    return `${source}${line ? `:${line}` : ''}: ${formatPath(path)}`;
  };
  const raw: unknown = doc.toJS();
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
      options.minIntervalMs ?? DEFAULTS.minIntervalMs,
      'the floor that keeps mxprobe from hammering mail providers',
    );
  }
  if ('listen' in raw) config.listen = v.listen(raw.listen, ['listen'], config.listen);
  if ('connectTimeout' in raw)
    config.connectTimeoutMs = v.duration(raw.connectTimeout, ['connectTimeout']);
  if ('greetingTimeout' in raw)
    config.greetingTimeoutMs = v.duration(raw.greetingTimeout, ['greetingTimeout']);
  if ('dnsServers' in raw) config.dnsServers = v.dnsServers(raw.dnsServers, ['dnsServers']);
  if ('family' in raw) config.family = v.family(raw.family, ['family']);
  if ('concurrency' in raw)
    config.concurrency = v.integer(raw.concurrency, ['concurrency'], 1, DEFAULTS.maxConcurrency);
  if ('maxSockets' in raw)
    config.maxSockets = v.integer(raw.maxSockets, ['maxSockets'], 1, DEFAULTS.maxMaxSockets);
  if ('hostSpacing' in raw) config.hostSpacingMs = v.duration(raw.hostSpacing, ['hostSpacing']);
  if ('cloudDetection' in raw)
    config.cloud = readCloudDetection(v, raw.cloudDetection, ['cloudDetection']);
  if (!('targets' in raw)) {
    problems.push(`${source}: targets: missing; expected a list of targets (domain: or host:)`);
  } else {
    config.targets = readTargets(v, raw.targets, ['targets']);
  }
  if ('relays' in raw) config.relays = readRelays(v, raw.relays, ['relays']);
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** For a key that has no value node (e.g. `unknown:` with nothing after it), locate the key. */
function keyOffset(doc: Document, path: Path): number | undefined {
  const parent = path.length > 1 ? doc.getIn(path.slice(0, -1), true) : doc.contents;
  const last = path[path.length - 1];
  if (isMap(parent)) {
    const pair = parent.items.find(
      (item) => (item.key as { value?: unknown } | null)?.value === last,
    );
    return (pair?.key as Node | null)?.range?.[0];
  }
  if (isSeq(parent)) return (parent.items[Number(last)] as Node | undefined)?.range?.[0];
  return (parent as Node | null)?.range?.[0];
}
