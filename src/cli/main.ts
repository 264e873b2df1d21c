// The command line. The only module that reads argv and decides the exit status; user mistakes
// become one line on stderr and exit 2. It loads as little as it can: a bare --version is
// answered here, without commander; everything else parses in cli/program.ts, and each
// command's work (cli/commands.ts) is imported when the command runs.

import { ConfigError } from '../config/error.js';
import { VERSION } from '../package-root.js';
import { processIo, type CliIo } from './io.js';
import { UsageError } from './usage-error.js';

export type { CliIo } from './io.js';

/** Runs the CLI and returns the exit status; never calls process.exit. */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
    io.stdout.write(`${VERSION}\n`);
    return 0;
  }
  try {
    const { runProgram } = await import('./program.js');
    return await runProgram(argv, io);
  } catch (error) {
    if (error instanceof ConfigError || error instanceof UsageError) {
      // One line per problem, each saying whose it is.
      for (const line of error.message.split('\n')) io.stderr.write(`mxprobe: ${line}\n`);
      return 2;
    }
    throw error;
  }
}
