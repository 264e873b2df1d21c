// Structured logs: one JSON object per line (journald keeps them as they are), or a short
// human line when a person watches a terminal. Child loggers carry bound fields.

import { printable } from './util/printable.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

const LEVEL_RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export function isLogLevel(value: string): value is LogLevel {
  return value in LEVEL_RANK;
}

export interface LoggerOptions {
  level: LogLevel;
  format: 'json' | 'human';
  write: (line: string) => void;
  now?: () => Date;
}

export function createLogger(options: LoggerOptions, bound: LogFields = {}): Logger {
  const now = options.now ?? (() => new Date());
  const emit = (level: LogLevel, msg: string, fields: LogFields = {}): void => {
    if (LEVEL_RANK[level] < LEVEL_RANK[options.level]) return;
    const all = { ...bound, ...fields };
    options.write(
      options.format === 'json'
        ? JSON.stringify({ time: now().toISOString(), level, msg, ...serializable(all) })
        : formatHuman(level, msg, all),
    );
  };
  return {
    debug: (msg, fields) => emit('debug', msg, fields),
    info: (msg, fields) => emit('info', msg, fields),
    warn: (msg, fields) => emit('warn', msg, fields),
    error: (msg, fields) => emit('error', msg, fields),
    child: (fields) => createLogger(options, { ...bound, ...fields }),
  };
}

/** A logger that drops everything (for library use and tests that do not look at logs). */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};

function serializable(fields: LogFields): LogFields {
  const out: LogFields = {};
  for (const [key, value] of Object.entries(fields)) {
    out[key] = value instanceof Error ? { message: value.message, code: errorCode(value) } : value;
  }
  return out;
}

function errorCode(error: Error): unknown {
  return (error as NodeJS.ErrnoException).code;
}

/** JSON lines escape control characters by themselves; the terminal line escapes them here. */
function formatHuman(level: LogLevel, msg: string, fields: LogFields): string {
  const rest = Object.entries(serializable(fields))
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' ');
  return printable(`${level.padEnd(5)} ${msg}${rest ? ` ${rest}` : ''}`);
}
