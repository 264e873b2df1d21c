/** Where the CLI reads and writes: the process, or a test's streams. */
export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number; fd?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number; fd?: number };
  env: NodeJS.ProcessEnv;
}

export const processIo = (): CliIo => ({
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
});
