// The config file: parsed with `yaml`, validated by hand so that every mistake becomes one
// sentence naming the file, line, field and what was expected. Unknown keys are errors: a typo
// must never silently leave a default in force. Whatever the file holds (binary, another
// encoding, megabytes, an alias bomb) the answer is one line, read in bounded time and memory.

import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { isMap, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { PACKAGE_ROOT } from '../package-root.js';
import { describeErrno } from '../util/errno.js';
import { printable } from '../util/printable.js';
import { DEFAULTS, DURATION_BOUNDS, defaultConfig } from './defaults.js';
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
  return parseConfig(await readConfigText(path), path, options);
}

/**
 * The file's text: at most DEFAULTS.maxConfigBytes are read (also from a device or a pipe that
 * never ends), and only UTF-8 text is taken; a byte-order mark is dropped.
 */
export async function readConfigText(path: string): Promise<string> {
  const name = printable(path);
  const limit = DEFAULTS.maxConfigBytes;
  const bytes = Buffer.alloc(limit + 1);
  let length = 0;
  try {
    const file = await open(path, 'r');
    try {
      for (;;) {
        const { bytesRead } = await file.read(bytes, length, bytes.length - length, null);
        if (bytesRead === 0) break;
        length += bytesRead;
        if (length > limit) break;
      }
    } finally {
      await file.close();
    }
  } catch (error) {
    throw new ConfigError([`${name}: cannot read config file: ${describeErrno(error)}`], {
      cause: error,
    });
  }
  if (length > limit) {
    throw new ConfigError([
      `${name}: the config file is larger than ${limit / 1_024} KiB, the most mxprobe reads (at most ${DEFAULTS.maxTargets} targets fit in far less)`,
    ]);
  }
  return decodeText(bytes.subarray(0, length), name);
}

/** UTF-8 text, or one sentence saying what the file is instead. Pure. */
export function decodeText(bytes: Uint8Array, name: string): string {
  const nul = bytes.indexOf(0);
  if (nul >= 0) {
    const utf16 =
      (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff);
    throw new ConfigError([
      utf16
        ? `${name}: the config file is UTF-16 text; save it as UTF-8`
        : `${name}: not a text file (a NUL byte at offset ${nul}); expected a YAML config`,
    ]);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    const at = firstInvalidUtf8(bytes);
    throw new ConfigError([
      `${name}:${lineAt(bytes, at)}: not UTF-8 text (byte 0x${(bytes[at] ?? 0).toString(16).padStart(2, '0')} at offset ${at}); save the file as UTF-8`,
    ]);
  }
}

/** Where the first byte that does not start a well-formed UTF-8 sequence is. Pure. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i] ?? 0;
    const follow =
      lead < 0x80
        ? 0
        : lead >= 0xc2 && lead <= 0xdf
          ? 1
          : lead >= 0xe0 && lead <= 0xef
            ? 2
            : lead >= 0xf0 && lead <= 0xf4
              ? 3
              : -1;
    if (follow < 0) return i;
    for (let k = 1; k <= follow; k += 1) {
      if (((bytes[i + k] ?? 0) & 0xc0) !== 0x80) return i;
    }
    i += follow + 1;
  }
  return Math.max(0, bytes.length - 1);
}

function lineAt(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i += 1) if (bytes[i] === 0x0a) line += 1;
  return line;
}

/** Validates config text; `file` names the file in every message. Pure. */
export function parseConfig(text: string, file: string, options: ParseOptions = {}): ProbeConfig {
  const source = printable(file);
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true });
  if (doc.errors.length > 0) {
    // Later syntax errors are mostly echoes of the first: report that one, and count the rest.
    const [first, ...others] = doc.errors;
    const line = first?.linePos?.[0].line;
    const more =
      others.length > 0
        ? ` (and ${others.length} more YAML ${others.length === 1 ? 'error' : 'errors'})`
        : '';
    throw new ConfigError([
      `${source}${line ? `:${line}` : ''}: invalid YAML: ${printable(first?.message.split('\n')[0] ?? '', 200)}${more}`,
    ]);
  }
  const at = (path: Path): string => {
    const node = doc.getIn(path, true) as Node | undefined;
    const offset = node?.range?.[0] ?? keyOffset(doc, path);
    const line = offset === undefined ? undefined : lines.linePos(offset).line;
    return `${source}${line ? `:${line}` : ''}: ${formatPath(path)}`;
  };
  let raw: unknown;
  try {
    // An alias bomb (aliases of aliases of lists) would expand to billions of nodes.
    raw = doc.toJS({ maxAliasCount: DEFAULTS.maxYamlAliases });
  } catch (error) {
    // yaml throws (rather than reports) for aliases: too many of them, or one without anchor.
    const message = printable(error instanceof Error ? error.message : String(error), 200);
    throw new ConfigError([
      /alias count/i.test(message)
        ? `${source}: YAML aliases expand too far (more than ${DEFAULTS.maxYamlAliases} references); write the values out`
        : `${source}: invalid YAML: ${message}`,
    ]);
  }
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
    // A key that is missing altogether: point at the mapping that lacks it.
    return (pair?.key as Node | null)?.range?.[0] ?? parent.range?.[0];
  }
  if (isSeq(parent)) return (parent.items[Number(last)] as Node | undefined)?.range?.[0];
  return (parent as Node | null)?.range?.[0];
}
