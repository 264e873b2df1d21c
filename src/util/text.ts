// Text for people: word wrapping and first lines, shared by the report, --help and the error
// messages. Pure.

/**
 * Wraps text at words to `width` columns (prefixes included): the first line starts with
 * `first`, every other with `rest`. A line break in the text starts a new line; a word longer
 * than the line stays whole; an empty paragraph stays an empty line.
 */
export function wrapLines(text: string, width: number, first = '', rest = first): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = lines.length === 0 ? first : rest;
    let empty = true;
    for (const word of paragraph.split(/\s+/).filter(Boolean)) {
      if (!empty && line.length + 1 + word.length > width) {
        lines.push(line);
        line = rest + word;
      } else line += (empty ? '' : ' ') + word;
      empty = false;
    }
    lines.push(empty ? '' : line);
  }
  return lines;
}

/** `wrapLines` with every line indented by `indent` spaces, as one string. */
export function wrap(text: string, width: number, indent = 0): string {
  return wrapLines(text, width, ' '.repeat(indent)).join('\n');
}

/** The first line of a text, or of an error's message. */
export function firstLine(value: unknown): string {
  const text = value instanceof Error ? value.message : String(value);
  return text.split(/\r?\n/, 1)[0] ?? '';
}
