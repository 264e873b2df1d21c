// The config file: parsed with `yaml`, validated by hand so that every mistake becomes one
// sentence naming the file, line, field and what was expected. Unknown keys are errors: a typo
// must never silently leave a default in force. The one-value settings are the rows of
// config/settings.ts; targets, relays, canaries and the cloud metadata URLs have section parsers.

import { DEFAULT_PROBE_SET, DEFAULT_PROBE_SET_TEXT } from '../package-root.js';
import { defaultConfig } from './default-config.js';
import { ConfigError } from './error.js';
import { readFileValue } from './kinds.js';
import {
  cloudDetectionUrlKeys,
  readCanaries,
  readCloudUrls,
  readIdentity,
  readRelays,
  readTargets,
} from './sections.js';
import { readField, settingRows, writeField, type AnySetting, type SettingId } from './settings.js';
import type { ProbeConfig } from './types.js';
import { isPlainObject, Validator, type Path } from './validator.js';
import { readConfigText } from './text-file.js';
import { readYaml } from './yaml-source.js';

export type { ProbeConfig } from './types.js';

/** The built-in probe set, used when neither targets nor a config file are given. */
export { DEFAULT_PROBE_SET } from '../package-root.js';

/** Sections read by their own parsers, beside the rows of the settings table. */
const SECTION_KEYS = ['targets', 'relays', 'canaries', 'identity'] as const;

/** Keys a mapping of settings holds beyond its rows (one metadata URL per registered cloud). */
function extraKeys(group: string): string[] {
  return group === 'cloudDetection' ? cloudDetectionUrlKeys() : [];
}

/** The keys the file may hold at the top level: the rows' first words, then the sections. */
export function topLevelKeys(): string[] {
  const rows = fileRows().map(([id]) => id.split('.')[0] ?? id);
  return [...new Set([...rows, ...SECTION_KEYS])];
}

/** The keys of a mapping of settings (`cloudDetection:`, `reputation:`, `metrics:`). */
export function groupKeys(group: string): string[] {
  const rows = fileRows()
    .map(([id]) => id.split('.'))
    .filter(([head, key]) => head === group && key !== undefined)
    .map(([, key]) => key ?? '');
  return [...rows, ...extraKeys(group)];
}

function fileRows(): [SettingId, AnySetting][] {
  return settingRows().filter(([, row]) => row.inFile);
}

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
  if (options.minIntervalMs !== undefined) config.minIntervalMs = options.minIntervalMs;
  v.keys(raw, [], topLevelKeys());
  readSettings(v, raw, config);
  if (!('targets' in raw)) {
    problems.push(`${source}: targets: missing; expected a list of targets (domain: or host:)`);
  } else {
    config.targets = readTargets(v, raw.targets, ['targets']);
  }
  if ('relays' in raw) config.relays = readRelays(v, raw.relays, ['relays']);
  // After the relays: a canary names the relay it sends through.
  if ('canaries' in raw)
    config.canaries = readCanaries(v, raw.canaries, ['canaries'], {
      relays: config.relays,
      ...canaryFloor(options),
    });
  if ('identity' in raw) config.identity = readIdentity(v, raw.identity, ['identity']);
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** Every row the file sets, in table order, then each one's check against the others. */
function readSettings(v: Validator, raw: Record<string, unknown>, config: ProbeConfig): void {
  const groups = new Set(
    fileRows().flatMap(([id]) => (id.includes('.') ? [id.split('.')[0]] : [])),
  );
  for (const group of groups)
    if (group !== undefined && group in raw) checkGroup(v, raw[group], group);
  const read: [Path, AnySetting, unknown][] = [];
  for (const [id, row] of fileRows()) {
    const path: Path = id.split('.');
    const [first = '', key] = path;
    const holder = key === undefined ? raw : raw[first];
    const name = String(key ?? first);
    if (!isPlainObject(holder) || !(name in holder)) continue;
    const before = v.problems.length;
    const value = readFileValue(v, row.kind, holder[name], path, readField(config, row.field));
    writeField(config, row.field, value);
    if (v.problems.length === before) read.push([path, row, holder[name]]);
  }
  // Once every row is read: a check compares a value with the others (splay with interval).
  for (const [path, row, text] of read) {
    const expected = row.check?.(readField(config, row.field) as never, config);
    if (expected !== undefined) v.fail(path, expected, text);
  }
  if (isPlainObject(raw.cloudDetection))
    config.cloud = readCloudUrls(v, raw.cloudDetection, ['cloudDetection'], config.cloud);
}

/** A mapping of settings holds only its own keys. */
function checkGroup(v: Validator, value: unknown, group: string): void {
  const keys = groupKeys(group);
  if (isPlainObject(value)) v.keys(value, [group], keys);
  else v.fail([group], `a mapping (${keys.join(', ')})`, value);
}
