// The pass that learnt nothing: attempts that failed on this machine left a port without a
// verdict, so no diagnosis is given (docs/reference.md, "Results and reasons").

import type { Attempt } from '../types.js';
import { describeErrno } from '../util/errno.js';

/**
 * Attempts that failed on this machine (out of file descriptors, ports, memory) left a port
 * without any attempt that counts: nothing was learned about its path, and a verdict made
 * without it would be wrong (an `ok` without port 25, say), so the pass gives none.
 */
export class LocalFailureError extends Error {
  override readonly name = 'LocalFailureError';
  constructor(
    readonly ports: number[],
    readonly failed: Attempt[],
  ) {
    const codes = [...new Set(failed.map((a) => a.errorCode ?? 'local'))];
    super(
      `no verdict: ${failed.length} ${failed.length === 1 ? 'attempt' : 'attempts'} failed on this machine (${codes.map(describeCode).join(', ')}), leaving port ${ports.join(', ')} without a result; nothing was learned about the path`,
    );
  }
}

function describeCode(code: string): string {
  const words = describeErrno({ code });
  return words === code ? code : `${code}: ${words}`;
}
