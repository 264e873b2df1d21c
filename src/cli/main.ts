// The command line. The only module that reads argv and decides the exit status; user mistakes
// become one line on stderr and exit 2. It loads as little as it can: a bare --version is
// answered here, --help from the flag table (cli/help.ts), both without commander; everything
// else parses in cli/program.ts, and each command's work (cli/commands.ts) is imported when
// the command runs.

import { versionText } from '../package-root.js';
import { processIo, type CliIo } from './io.js';

export type { CliIo } from './io.js';

/** Runs the CLI and returns the exit status; never calls process.exit. */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
    io.stdout.write(versionText());
    return 0;
  }
  try {
    const help = await import('./help.js');
    const command = help.helpRequest(argv);
    if (command !== undefined) {
      io.stdout.write(help.renderHelp(command, help.helpWidth(io.stdout)));
      return 0;
    }
    const { runProgram } = await import('./program.js');
    return await runProgram(argv, io);
  } catch (error) {
    // Already loaded by whatever threw them; imported here so --version does not load them.
    const [{ ConfigError }, { UsageError }] = await Promise.all([
      import('../config/error.js'),
      import('./usage-error.js'),
    ]);
    if (error instanceof ConfigError || error instanceof UsageError) {
      // One line per problem, each saying whose it is.
      for (const line of error.message.split('\n')) io.stderr.write(`mxprobe: ${line}\n`);
      return 2;
    }
    throw error;
  }
}
