// The command flags' parsers, named as cli/flags.ts names them, and what `probe` receives once
// commander has parsed argv: the command's own flags, the settings the flags gave (parsed by
// config/kinds.ts, as a config file's are) and which flags were given, for the check that a
// daemon flag is not given with --once nor a --once flag without it. Nothing here loads
// commander: --help reads the flag table without it, and without this module.

import type { Scope, SettingId, SettingValues } from '../config/settings.js';
import { parsePortList, parseTargetName } from '../config/values.js';
import { isLogFormat, isLogLevel } from '../log.js';
import { printable } from '../util/printable.js';
import type { CommandFlags, CommandValues } from './flags.js';
import { UsageError } from './usage-error.js';

/** A flag value that its parser refuses; the message says what was expected. */
export class FlagValueError extends Error {}

/** The command flags' parsers; each names the flag it reads in a refusal. */
export const COMMAND_PARSERS: {
  [P in keyof CommandValues]: (value: string, flag: string) => CommandValues[P];
} = {
  targetName: (value, flag) => {
    const name = parseTargetName(value);
    if (name === undefined)
      throw new FlagValueError(
        `${flag} expects a domain or host name, got ${printable(JSON.stringify(value), 80)}.`,
      );
    return name;
  },
  ports: (value, flag) => {
    const ports = parsePortList(value);
    if (!ports)
      throw new FlagValueError(
        `${flag} expects comma-separated ports from 1 to 65535, e.g. 25,587,465.`,
      );
    return ports;
  },
  logLevel: (value, flag) => {
    if (!isLogLevel(value)) throw new FlagValueError(`${flag} expects debug, info, warn or error.`);
    return value;
  },
  logFormat: (value, flag) => {
    if (!isLogFormat(value)) throw new FlagValueError(`${flag} expects logfmt or json.`);
    return value;
  },
  path: (value) => value,
  switch: () => true,
};

/** One flag of argv, as given. */
export interface GivenFlag {
  /** The spelling used: "--listen" or "--web.listen-address". */
  spelled: string;
  scope: Scope;
}

/** What `probe` receives: every value already checked by its parser. */
export interface ProbeFlags {
  command: Partial<CommandFlags>;
  settings: SettingValues;
  /** The spelling of each setting's flag as given, for messages. */
  spelling: Partial<Record<SettingId, string>>;
  given: GivenFlag[];
}

/**
 * A flag that belongs to the other mode, in one line: daemon flags are refused with --once,
 * --once flags (--json, --textfile) without it.
 */
export function checkScopes(flags: ProbeFlags): void {
  const once = flags.command.once === true;
  const wrong = flags.given.find((f) => f.scope === (once ? 'daemon' : 'once'));
  if (wrong === undefined) return;
  throw new UsageError(
    once
      ? `${wrong.spelled} goes with the daemon (without --once); a single pass has no use for it`
      : `${wrong.spelled} goes with --once (the daemon serves /metrics and JSON at GET /status)`,
  );
}
