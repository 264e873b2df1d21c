// The commands of the flag table (cli/flags.ts) as commander parses them. Loaded for every run
// but --version and --help; each command's work (cli/commands.ts) is imported when it runs, so
// parsing never pays for the YAML parser, the probe engine or the metrics library.

import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { versionText } from '../package-root.js';
import { COMMANDS, flagDescription, HELP_FLAG, longName, PROGRAM, type FlagSpec } from './flags.js';
import { helpWidth, renderHelp } from './help.js';
import type { CliIo } from './io.js';
import { FLAG_PARSERS, FlagValueError, probeFlags, type ProbeOptions } from './options.js';

const commands = (): Promise<typeof import('./commands.js')> => import('./commands.js');

type Options = Record<string, unknown>;

/** What each command does with its parsed options; the exit status. */
const ACTIONS: Readonly<Record<string, (options: Options, io: CliIo) => Promise<number>>> = {
  probe: async (options, io) =>
    (await commands()).runProbe(probeFlags(options as ProbeOptions), io),
  'check-config': async (options, io) =>
    (await commands()).runCheckConfig(
      {
        config: (options['config.file'] ?? options.config) as string | undefined,
        webConfigFile: options['web.config.file'] as string | undefined,
      },
      io,
    ),
};

/** Parses argv and runs the command; the exit status, 2 for what commander refused. */
export async function runProgram(argv: string[], io: CliIo): Promise<number> {
  let exitCode = 0;
  const program = buildProgram(io, async (run) => {
    exitCode = await run();
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    throw error;
  }
}

function buildProgram(io: CliIo, record: (run: () => Promise<number>) => Promise<void>): Command {
  // Whichever way commander is asked for help, it shows the table's, fitted to the stream.
  const help =
    (command: string | null) =>
    (context?: { error?: boolean }): string =>
      renderHelp(command, helpWidth(context?.error ? io.stderr : io.stdout));
  const program = new Command(PROGRAM.name)
    .version(versionText().trimEnd(), '-V, --version')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: (text, write) => write(`mxprobe: ${text.replace(/^error: /, '')}`),
    })
    .showSuggestionAfterError(true);
  program.helpInformation = help(null);

  for (const spec of COMMANDS) {
    const command = program.command(spec.name).description(spec.description);
    command.helpInformation = help(spec.name);
    for (const flag of spec.groups.flatMap((group) => group.flags))
      if (flag !== HELP_FLAG) addFlag(command, flag);
    const action = ACTIONS[spec.name];
    command.action(async (options: Options) => {
      if (action !== undefined) await record(() => action(options, io));
    });
  }
  return program;
}

/** A flag, and its older name as a hidden alias that cannot be given together with it. */
function addFlag(command: Command, flag: FlagSpec): void {
  const option = new Option(flag.flags, flagDescription(flag));
  const parse = FLAG_PARSERS[longName(flag.flags)];
  if (parse) option.argParser(forCommander(parse));
  command.addOption(option);
  if (flag.alias === undefined) return;
  const alias = new Option(flag.alias.flags).hideHelp();
  const parseAlias = FLAG_PARSERS[longName(flag.alias.flags)];
  if (parseAlias) alias.argParser(forCommander(parseAlias));
  option.conflicts(alias.attributeName());
  command.addOption(alias.conflicts(option.attributeName()));
}

/** A refused value as commander reports it: one line naming the flag and what it expects. */
function forCommander<T>(
  parse: (value: string, previous: unknown) => T,
): (value: string, previous: unknown) => T {
  return (value, previous) => {
    try {
      return parse(value, previous);
    } catch (error) {
      if (error instanceof FlagValueError) throw new InvalidArgumentError(error.message);
      throw error;
    }
  };
}
