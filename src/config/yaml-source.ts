// A YAML file as mxprobe reads its config files (the probe config and the web config): parsed
// with `yaml`, duplicate keys refused, and a locator that turns a key path into "FILE:LINE: path"
// so that every message names where the mistake is. Pure.

import { isMap, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { ConfigError } from './error.js';
import { formatPath, type Path } from './validator.js';

export interface YamlSource {
  /** The document as plain data (null for an empty file). */
  raw: unknown;
  /** "FILE:LINE: field.path" for a path in the document (the key's line when it has no value). */
  at: (path: Path) => string;
}

export function readYaml(text: string, source: string): YamlSource {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((e) => {
        const line = e.linePos?.[0].line;
        // The line is in front already; yaml's own "at line N, column M:" would repeat it.
        const what = (e.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
        return `${source}${line ? `:${line}` : ''}: invalid YAML: ${what}`;
      }),
    );
  }
  const at = (path: Path): string => {
    const node = doc.getIn(path, true) as Node | undefined;
    const offset = node?.range?.[0] ?? keyOffset(doc, path);
    const line = offset === undefined ? undefined : lines.linePos(offset).line;
    return `${source}${line ? `:${line}` : ''}: ${formatPath(path)}`;
  };
  return { raw: doc.toJS() as unknown, at };
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
