// A YAML file as mxprobe reads its config files (the probe config and the web config): parsed
// with `yaml`, duplicate keys refused, and a locator that turns a key path into "FILE:LINE: path"
// so that every message names where the mistake is. Pure.

import {
  isCollection,
  isMap,
  isSeq,
  LineCounter,
  parseDocument,
  type Document,
  type Node,
} from 'yaml';
import { printable } from '../util/printable.js';
import { DEFAULTS } from './defaults.js';
import { ConfigError } from './error.js';
import { formatPath, type Path } from './validator.js';

export interface YamlSource {
  /** The document as plain data (null for an empty file). */
  raw: unknown;
  /** "FILE:LINE: field.path" for a path in the document (the key's line when it has no value). */
  at: (path: Path) => string;
  /** The file's name as messages print it (control characters escaped). */
  source: string;
}

export function readYaml(text: string, file: string): YamlSource {
  const source = printable(file);
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true });
  if (doc.errors.length > 0) {
    // Later syntax errors are mostly echoes of the first: report that one, and count the rest.
    const [first, ...others] = doc.errors;
    const line = first?.linePos?.[0].line;
    // The line is in front already; yaml's own "at line N, column M:" would repeat it.
    const what = (first?.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
    const more =
      others.length > 0
        ? ` (and ${others.length} more YAML ${others.length === 1 ? 'error' : 'errors'})`
        : '';
    throw new ConfigError([
      `${source}${line ? `:${line}` : ''}: invalid YAML: ${printable(what, 200)}${more}`,
    ]);
  }
  const at = (path: Path): string => {
    const node = doc.getIn(path, true) as Node | undefined;
    // A block mapping or list starts on the line after its key: the key's line is the one to
    // name ("typo.yaml:2: targest: unknown key" for `targest:` on line 2).
    const block = isCollection(node) && node.flow !== true ? keyOffset(doc, path) : undefined;
    const offset = block ?? node?.range?.[0] ?? keyOffset(doc, path);
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
  return { raw, at, source };
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
