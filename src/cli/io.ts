/** Where the CLI reads and writes: the process, or a test's streams. */
export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number; fd?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number; fd?: number };
  env: NodeJS.ProcessEnv;
}

let pipesGuarded = false;

export const processIo = (): CliIo => {
  if (!pipesGuarded) {
    pipesGuarded = true;
    // `mxprobe --help | head` closes the pipe early: the reader has what it wanted, which is
    // no reason for a stack trace. Any other write error stays fatal.
    for (const stream of [process.stdout, process.stderr])
      stream.on('error', (error: NodeJS.ErrnoException) => {
        if (error.code !== 'EPIPE') throw error;
      });
  }
  return { stdout: process.stdout, stderr: process.stderr, env: process.env };
};
