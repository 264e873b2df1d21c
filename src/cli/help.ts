// --help fitted to the terminal: as wide as the terminal (80 columns when the output is not a
// terminal, at most MAX_HELP_WIDTH so lines stay readable on a wide screen), with every line
// wrapped at words. Where the terminal is too narrow for a flag and its description side by
// side, the description goes under the flag.

import { Help, type HelpConfiguration } from 'commander';
import type { CliIo } from './io.js';

/** Beyond this a line of prose is hard to follow, however wide the terminal. */
export const MAX_HELP_WIDTH = 120;
/** What --help is wrapped to when the output is a file or a pipe. */
export const DEFAULT_HELP_WIDTH = 80;
/** A description column narrower than this goes under its flag instead. */
const MIN_DESCRIPTION_WIDTH = 30;
/** Where a description under its flag starts. */
const STACKED_INDENT = 6;

export function helpWidth(stream: CliIo['stdout']): number {
  if (!stream.isTTY || stream.columns === undefined || stream.columns <= 0)
    return DEFAULT_HELP_WIDTH;
  return Math.min(stream.columns, MAX_HELP_WIDTH);
}

/** Commander's help, with items stacked when the description column would be too narrow. */
export function helpConfiguration(): HelpConfiguration {
  return {
    minWidthToWrap: 1,
    formatItem(this: Help, term, termWidth, description, helper): string {
      const width = this.helpWidth ?? DEFAULT_HELP_WIDTH;
      const remaining = width - termWidth - 4;
      if (!description || remaining >= MIN_DESCRIPTION_WIDTH) {
        return Help.prototype.formatItem.call(this, term, termWidth, description, helper);
      }
      return `  ${term}\n${wrap(description, width, STACKED_INDENT)}`;
    },
  };
}

/**
 * Wraps text at words to `width`, every line indented by `indent`; a line break in the text
 * starts a new line. A word longer than the line stays whole. Pure.
 */
export function wrap(text: string, width: number, indent = 0): string {
  const pad = ' '.repeat(indent);
  const room = Math.max(width - indent, 1);
  return text
    .split('\n')
    .flatMap((paragraph) => {
      const lines: string[] = [];
      let line = '';
      for (const word of paragraph.split(/\s+/).filter(Boolean)) {
        if (line !== '' && line.length + 1 + word.length > room) {
          lines.push(line);
          line = word;
        } else line = line === '' ? word : `${line} ${word}`;
      }
      lines.push(line);
      return lines.map((l) => (l === '' ? '' : pad + l));
    })
    .join('\n');
}

/**
 * A shell command wrapped to `width` the way it can be pasted back: a broken line ends in
 * " \\" and the next one is indented further. Pure.
 */
export function wrapCommand(command: string, width: number, indent = 2): string {
  const lines: string[] = [];
  let line = ' '.repeat(indent);
  let fresh = true;
  for (const word of command.split(/\s+/).filter(Boolean)) {
    // Room for the word, and for " \\" should the next word not fit.
    if (!fresh && line.length + 1 + word.length + 2 > width) {
      lines.push(`${line} \\`);
      line = ' '.repeat(indent + 2) + word;
    } else line = fresh ? line + word : `${line} ${word}`;
    fresh = false;
  }
  lines.push(line);
  return lines.join('\n');
}

/** A help section: its title, then entries of a command and what it does, wrapped. */
export function formatExamples(
  title: string,
  examples: readonly (readonly [string, string])[],
  width: number,
): string {
  const entries = examples.map(
    ([command, what]) => `${wrapCommand(command, width)}\n${wrap(what, width, STACKED_INDENT)}`,
  );
  return `${title}\n${entries.join('\n')}`;
}
