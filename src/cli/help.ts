// --help, rendered from the flag table (cli/flags.ts) without commander, fitted to the
// terminal: as wide as the terminal (80 columns when the output is not a terminal, at most
// MAX_HELP_WIDTH so lines stay readable on a wide screen), every line wrapped at words. Where
// the terminal is too narrow for a flag and its description side by side, the description
// goes under the flag. Pure apart from helpWidth, which reads the stream's size.

import {
  COMMANDS,
  flagDescription,
  HELP_FLAG,
  PROGRAM,
  VERSION_FLAG,
  type CommandSpec,
} from './flags.js';
import { wrap } from '../util/text.js';
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

/**
 * Which help argv asks for: the program's (null) or a command's (its name); undefined when
 * argv asks for no help. Covers `--help`/`-h` anywhere before `--`, and `help [command]`.
 */
export function helpRequest(argv: readonly string[]): string | null | undefined {
  const end = argv.indexOf('--');
  const args = end < 0 ? argv : argv.slice(0, end);
  const named = (name: string | undefined): string | null =>
    COMMANDS.some((c) => c.name === name) ? (name ?? null) : null;
  if (args[0] === 'help') return named(args[1]);
  if (!args.includes('--help') && !args.includes('-h')) return undefined;
  return named(args[0]);
}

/** The help text of the program (`command` null) or of one command. */
export function renderHelp(command: string | null, width: number): string {
  const spec = COMMANDS.find((c) => c.name === command);
  return spec === undefined ? programHelp(width) : commandHelp(spec, width);
}

function programHelp(width: number): string {
  const commands = [
    ...COMMANDS.map((c) => [`${c.name} [options]`, c.description] as const),
    ['help [command]', 'display help for command'] as const,
  ];
  const options = [VERSION_FLAG, HELP_FLAG].map((f) => [f.flags, f.description] as const);
  const termWidth = Math.max(...[...commands, ...options].map(([term]) => term.length));
  return [
    `Usage: ${PROGRAM.name} [options] [command]`,
    '',
    wrap(PROGRAM.description, width),
    '',
    section('Options:', options, termWidth, width),
    section('Commands:', commands, termWidth, width),
    formatExamples('Examples:', PROGRAM.examples, width),
    '',
    ...PROGRAM.notes.map((note) => wrap(note, width)),
    '',
  ].join('\n');
}

function commandHelp(spec: CommandSpec, width: number): string {
  const groups = spec.groups.map(
    (group) =>
      [group.title, group.flags.map((f) => [f.flags, flagDescription(f)] as const)] as const,
  );
  const termWidth = Math.max(...groups.flatMap(([, items]) => items.map(([term]) => term.length)));
  return [
    `Usage: ${PROGRAM.name} ${spec.name} [options]`,
    '',
    wrap(spec.description, width),
    '',
    ...groups.map(([title, items]) => section(title, items, termWidth, width)),
    ...spec.notes.flatMap((note) => [wrap(note, width), '']),
  ].join('\n');
}

/** A titled list of terms and descriptions, ending in a blank line. */
function section(
  title: string,
  items: readonly (readonly [string, string])[],
  termWidth: number,
  width: number,
): string {
  return `${[title, ...items.map(([term, text]) => item(term, text, termWidth, width))].join('\n')}\n`;
}

/** A term and its description side by side, or stacked when the description would be cramped. */
function item(term: string, description: string, termWidth: number, width: number): string {
  const column = termWidth + 4;
  if (width - column < MIN_DESCRIPTION_WIDTH)
    return `  ${term}\n${wrap(description, width, STACKED_INDENT)}`;
  const lines = wrap(description, width - column).split('\n');
  return [
    `  ${term.padEnd(termWidth)}  ${lines[0] ?? ''}`,
    ...lines.slice(1).map((line) => ' '.repeat(column) + line),
  ].join('\n');
}

/**
 * A shell command wrapped to `width` the way it can be pasted back: a broken line ends in
 * " \" and the next one is indented further.
 */
export function wrapCommand(command: string, width: number, indent = 2): string {
  const lines: string[] = [];
  let line = ' '.repeat(indent);
  let fresh = true;
  for (const word of command.split(/\s+/).filter(Boolean)) {
    // Room for the word, and for " \" should the next word not fit.
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
function formatExamples(
  title: string,
  examples: readonly (readonly [string, string])[],
  width: number,
): string {
  const entries = examples.map(
    ([command, what]) => `${wrapCommand(command, width)}\n${wrap(what, width, STACKED_INDENT)}`,
  );
  return `${title}\n${entries.join('\n')}`;
}
