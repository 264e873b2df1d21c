// The command line: reads argv, runs the command and returns the exit status that
// cli/exit-status.ts decides from what happened; user mistakes become one line on stderr. It
// loads as little as it can: a bare --version is answered here, --help from the flag table
// (cli/help.ts), both without commander; everything else parses in cli/program.ts, and each
// command's work (cli/commands.ts) is imported when the command runs.

import { versionText } from '../package-root.js';
import { exitStatus, type Outcome } from './exit-status.js';
import { processIo, type CliIo } from './io.js';

export type { CliIo } from './io.js';

/** Runs the CLI and returns the exit status; never calls process.exit, never throws. */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  return exitStatus(await run(argv, io));
}

async function run(argv: string[], io: CliIo): Promise<Outcome> {
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
    io.stdout.write(versionText());
    return { kind: 'done' };
  }
  try {
    const help = await import('./help.js');
    const command = help.helpRequest(argv);
    if (command !== undefined) {
      io.stdout.write(help.renderHelp(command, help.helpWidth(io.stdout)));
      return { kind: 'done' };
    }
    const { runProgram } = await import('./program.js');
    return await runProgram(argv, io);
  } catch (error) {
    return tell(error, io);
  }
}

/** An error in one line for a user's mistake; the stack for a fault of mxprobe itself. */
async function tell(error: unknown, io: CliIo): Promise<Outcome> {
  // Already loaded by whatever threw them; imported here so --version does not load them.
  const [{ ConfigError }, { UsageError }] = await Promise.all([
    import('../config/error.js'),
    import('./usage-error.js'),
  ]);
  if (error instanceof ConfigError || error instanceof UsageError) {
    // One line per problem, each saying whose it is.
    for (const line of error.message.split('\n')) io.stderr.write(`mxprobe: ${line}\n`);
    return { kind: 'refused' };
  }
  io.stderr.write(
    `mxprobe: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  return { kind: 'internal-error' };
}
