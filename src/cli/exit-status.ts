// The exit status, decided here and nowhere else (CONTRACT §5): the commands, the parser and
// main() say what happened (an Outcome), and this module alone turns it into the number that
// bin.ts hands to the process. Pure.

import type { Report } from '../types.js';

/** What a run of the CLI came to. */
export type Outcome =
  /** Help, the version, a valid check-config, a daemon that stopped. */
  | { kind: 'done' }
  /** probe --once: the verdict is the report's. */
  | { kind: 'report'; report: Pick<Report, 'diagnosis' | 'ports'> }
  /** probe --once could make no attempt (this machine failed every one). */
  | { kind: 'nothing-probed' }
  /** A usage or config error, already told in one line. */
  | { kind: 'refused' }
  /** A fault of mxprobe itself. */
  | { kind: 'internal-error' };

export const EXIT_STATUS = {
  /** Every probed port open (and everything that is not a probe, done). */
  ok: 0,
  /** A probed port is not open. */
  notOpen: 1,
  /** Usage or config error. */
  usage: 2,
  /** Nothing could be probed: name resolution failed, or this machine made no attempt. */
  nothingProbed: 3,
  /** EX_SOFTWARE of sysexits.h: a bug, not the user's mistake nor the network's answer. */
  internal: 70,
} as const;
export type ExitStatus = (typeof EXIT_STATUS)[keyof typeof EXIT_STATUS];

export function exitStatus(outcome: Outcome): ExitStatus {
  switch (outcome.kind) {
    case 'done':
      return EXIT_STATUS.ok;
    case 'report':
      return verdictStatus(outcome.report);
    case 'nothing-probed':
      return EXIT_STATUS.nothingProbed;
    case 'refused':
      return EXIT_STATUS.usage;
    case 'internal-error':
      return EXIT_STATUS.internal;
  }
}

/** probe --once: 0 every probed port open, 1 a port not open, 3 nothing resolved. */
function verdictStatus(report: Pick<Report, 'diagnosis' | 'ports'>): ExitStatus {
  if (report.diagnosis.code === 'dns-failed') return EXIT_STATUS.nothingProbed;
  const probed = report.ports.filter((p) => p.status !== 'unknown');
  return probed.length > 0 && probed.every((p) => p.status === 'open')
    ? EXIT_STATUS.ok
    : EXIT_STATUS.notOpen;
}
