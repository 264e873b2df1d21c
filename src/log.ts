// Structured logs, one line per event whatever the fields hold: a JSON object, a logfmt line
// (`--log.format`), or a short human line when a person watches a terminal. Under journald each
// line starts with its syslog priority (`<3>` error … `<7>` debug), which journald strips and
// keeps as the entry's PRIORITY, so `journalctl -p err` shows the errors alone. Child loggers
// carry bound fields.

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

/** RFC 5424 severities: err, warning, info, debug. */
const SYSLOG_PRIORITY: Record<LogLevel, number> = { debug: 7, info: 6, warn: 4, error: 3 };

export function isLogLevel(value: string): value is LogLevel {
  return value in LEVEL_RANK;
}

/** The formats `--log.format` offers; `human` is what a terminal gets by default. */
export const LOG_FORMATS = ['logfmt', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number] | 'human';

export function isLogFormat(value: string): value is (typeof LOG_FORMATS)[number] {
  return (LOG_FORMATS as readonly string[]).includes(value);
}

export interface LoggerOptions {
  level: LogLevel;
  format: LogFormat;
  write: (line: string) => void;
  now?: () => Date;
  /** Start each line with `<N>`, its syslog priority (for journald). */
  syslogPriority?: boolean;
}

export function createLogger(options: LoggerOptions, bound: LogFields = {}): Logger {
  const now = options.now ?? (() => new Date());
  const emit = (level: LogLevel, msg: string, fields: LogFields = {}): void => {
    if (LEVEL_RANK[level] < LEVEL_RANK[options.level]) return;
    const all = serializable({ ...bound, ...fields });
    const line = formatLine(options.format, now(), level, msg, all);
    options.write(options.syslogPriority ? `<${SYSLOG_PRIORITY[level]}>${line}` : line);
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

function formatLine(
  format: LogFormat,
  time: Date,
  level: LogLevel,
  msg: string,
  fields: LogFields,
): string {
  switch (format) {
    case 'json':
      // JSON.stringify escapes line breaks: a multi-line error stays one line.
      return JSON.stringify({ time: time.toISOString(), level, msg, ...fields });
    case 'logfmt':
      return logfmtPairs({ time: time.toISOString(), level, msg, ...fields });
    case 'human': {
      const rest = logfmtPairs(fields);
      // Terminal text: whatever a peer put in a field is shown escaped, never acted on.
      return printable(`${level.padEnd(5)} ${logfmtValue(msg, true)}${rest ? ` ${rest}` : ''}`);
    }
  }
}

/**
 * key=value pairs; nested objects are flattened with dotted keys (`error.code=ECONNREFUSED`,
 * `ports.25=open`), lists are written as JSON.
 */
function logfmtPairs(fields: LogFields, prefix = ''): string {
  return Object.entries(fields)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => {
      const name = `${prefix}${key.replace(/[\s="]/g, '_')}`;
      if (value !== null && typeof value === 'object' && !Array.isArray(value))
        return logfmtPairs(value as LogFields, `${name}.`);
      return `${name}=${logfmtValue(value)}`;
    })
    .filter((pair) => pair !== '')
    .join(' ');
}

/** A value bare when it is one plain word, else quoted with JSON's escapes (\", \\, \n). */
function logfmtValue(value: unknown, bareSpaces = false): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  const plain = bareSpaces ? /^[^"=\\\p{Cc}]+$/u : /^[^\s"=\\\p{Cc}]+$/u;
  return plain.test(text) ? text : JSON.stringify(text);
}
