// What Node's errno codes mean to mxprobe: which ones say "unreachable" (for attempts and relays
// alike), and their words for the one-line errors people read (a config file that cannot be
// read, a password file, a listen address). One table each, so every place says it alike.

const ERRNO_WORDS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'is a directory',
  ENOTDIR: 'a path component is not a directory',
  EADDRINUSE: 'the address is already in use',
  EADDRNOTAVAIL: 'no such local address',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files in the system',
  ENOBUFS: 'no buffer space',
  ENOMEM: 'out of memory',
};

/** Words for an error's errno code, or its message when the code is not in the table. */
export function describeErrno(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code !== undefined && code in ERRNO_WORDS) return ERRNO_WORDS[code] ?? code;
  if (code !== undefined) return code;
  return error instanceof Error ? error.message : String(error);
}

/** Local refusals and ICMP errors: something actively said no before any handshake. */
export const UNREACHABLE_ERRNO_CODES: ReadonlySet<string> = new Set([
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EACCES',
  'EPERM',
  'EHOSTDOWN',
  'ENETDOWN',
  'ENONET',
]);

/**
 * Failures of this machine, not of the path (docs/reference.md, "Results and reasons"): out of
 * file descriptors, socket buffers, local ports or memory. An attempt that ends with one of
 * them says nothing about the network: it is `error`/`local` and does not count.
 */
export const LOCAL_ERRNO_CODES: ReadonlySet<string> = new Set([
  'EMFILE',
  'ENFILE',
  'ENOBUFS',
  'ENOMEM',
  'EADDRNOTAVAIL',
  'EAGAIN',
]);
