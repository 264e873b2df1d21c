// The commands of the flag table (cli/flags.ts) as commander parses them. Loaded for every run
// but --version and --help; each command's work (cli/commands.ts) is imported when it runs, so
// parsing never pays for the YAML parser, the probe engine or the metrics library. A setting's
// flag is parsed by its kind (config/kinds.ts), a command flag by its parser's name.

import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { parseFlagText } from '../config/kinds.js';
import { SETTINGS, type AnySetting } from '../config/settings.js';
import { versionText } from '../package-root.js';
import type { Outcome } from './exit-status.js';
import { COMMANDS, HELP_FLAG, longName, PROGRAM, type FlagSpec } from './flags.js';
import { helpWidth, renderHelp } from './help.js';
import type { CliIo } from './io.js';
import { COMMAND_PARSERS, FlagValueError, type ProbeFlags } from './options.js';
import { UsageError } from './usage-error.js';

const commands = (): Promise<typeof import('./commands.js')> => import('./commands.js');

/** A commander option of the table: the spec it came from and the spelling it stands for. */
interface TableOption {
  option: Option;
  spec: FlagSpec;
  spelled: string;
}

/** What each command does with its parsed flags. */
const ACTIONS: Readonly<Record<string, (flags: ProbeFlags, io: CliIo) => Promise<Outcome>>> = {
  probe: async (flags, io) => (await commands()).runProbe(flags, io),
  'check-config': async (flags, io) => (await commands()).runCheckConfig(flags.command, io),
};

/** Parses argv and runs the command; what commander refused is a usage error. */
export async function runProgram(argv: string[], io: CliIo): Promise<Outcome> {
  let outcome: Outcome = { kind: 'done' };
  const program = buildProgram(io, async (run) => {
    outcome = await run();
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return outcome;
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    // Commander has written its line (or the help, or the version) already.
    const answered = ['commander.helpDisplayed', 'commander.help', 'commander.version'];
    return answered.includes(error.code) ? { kind: 'done' } : { kind: 'refused' };
  }
}

function buildProgram(io: CliIo, record: (run: () => Promise<Outcome>) => Promise<void>): Command {
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
    const options = spec.groups
      .flatMap((group) => group.flags)
      .filter((flag) => flag !== HELP_FLAG)
      .flatMap((flag) => addFlag(command, flag));
    const action = ACTIONS[spec.name];
    command.action(async (_options: unknown, parsed: Command) => {
      if (action !== undefined) await record(() => action(probeFlags(parsed, options), io));
    });
  }
  return program;
}

/** A flag, and its older name as a hidden alias that cannot be given together with it. */
function addFlag(command: Command, spec: FlagSpec): TableOption[] {
  const option = new Option(spec.flags, spec.description);
  const spelled = longName(spec.flags);
  withParser(option, spec, spelled);
  command.addOption(option);
  if (spec.alias === undefined) return [{ option, spec, spelled }];
  const alias = new Option(spec.alias.flags).hideHelp();
  const aliasSpelled = longName(spec.alias.flags);
  withParser(alias, spec, aliasSpelled);
  option.conflicts(alias.attributeName());
  command.addOption(alias.conflicts(option.attributeName()));
  return [
    { option, spec, spelled },
    { option: alias, spec, spelled: aliasSpelled },
  ];
}

/** The flag's parser: its setting's kind, or the command parser it names. */
function withParser(option: Option, spec: FlagSpec, spelled: string): void {
  const target = spec.target;
  if (target === null || !option.required) return;
  if ('setting' in target) {
    const row: AnySetting = SETTINGS[target.setting];
    option.argParser(
      forCommander((text, previous) => {
        const parsed = parseFlagText(row.kind, text, spelled);
        if (!parsed.ok) throw new FlagValueError(`${spelled} expects ${parsed.expected}.`);
        return row.flag?.repeatable
          ? [...((previous as unknown[] | undefined) ?? []), ...(parsed.value as unknown[])]
          : once(spelled, previous, parsed.value);
      }),
    );
    return;
  }
  const parse = COMMAND_PARSERS[target.parse];
  option.argParser(
    forCommander((text, previous) => {
      const value = parse(text, spelled);
      return target.repeatable
        ? [...((previous as unknown[] | undefined) ?? []), value]
        : once(spelled, previous, value);
    }),
  );
}

/** A flag that takes one value, given twice, is refused rather than half ignored. */
function once(spelled: string, previous: unknown, value: unknown): unknown {
  if (previous !== undefined)
    throw new UsageError(`${spelled} is given more than once; it takes one value: give it once`);
  return value;
}

/** The flags given on the command line, sorted into command flags and settings. */
function probeFlags(parsed: Command, options: TableOption[]): ProbeFlags {
  const flags: ProbeFlags = { command: {}, settings: {}, spelling: {}, given: [] };
  for (const { option, spec, spelled } of options) {
    const key = option.attributeName();
    if (parsed.getOptionValueSource(key) !== 'cli' || spec.target === null) continue;
    const value: unknown = parsed.getOptionValue(key);
    flags.given.push({ spelled, scope: spec.scope });
    if ('setting' in spec.target) {
      Object.assign(flags.settings, { [spec.target.setting]: value });
      flags.spelling[spec.target.setting] = spelled;
    } else Object.assign(flags.command, { [spec.target.command]: value });
  }
  return flags;
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
