// Log lines as an operator's tools read them: JSON, logfmt, the terminal line, one line per
// event whatever the fields hold, and the syslog priority journald files them under.
import { closeSync, fstatSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLogger, type LogFormat, type LoggerOptions } from '../../src/log.js';
import { isJournalStream, matchesJournalStream } from '../../src/util/journald.js';

const NOW = new Date('2026-11-23T10:00:00.000Z');

function linesOf(format: LogFormat, extra: Partial<LoggerOptions> = {}) {
  const lines: string[] = [];
  const log = createLogger({
    level: 'debug',
    format,
    now: () => NOW,
    write: (line) => lines.push(line),
    ...extra,
  });
  return { lines, log };
}

describe('log formats', () => {
  it('json: one object per line with time, level, msg and the fields', () => {
    const { lines, log } = linesOf('json');
    log.child({ cycle: 3 }).info('probe cycle finished', { ports: { '25': 'open' } });
    expect(lines).toEqual([
      '{"time":"2026-11-23T10:00:00.000Z","level":"info","msg":"probe cycle finished","cycle":3,"ports":{"25":"open"}}',
    ]);
  });

  it('logfmt: key=value pairs, quoted where needed, nested fields with dotted keys', () => {
    const { lines, log } = linesOf('logfmt');
    const error = Object.assign(new Error('connect refused'), { code: 'ECONNREFUSED' });
    log.child({ cycle: 3 }).warn('relay failed', {
      relay: 'acs',
      error,
      ports: { '25': 'open' },
      hosts: ['a', 'b'],
      quote: 'say "hi"',
      empty: '',
      missing: undefined,
    });
    expect(lines).toEqual([
      'time=2026-11-23T10:00:00.000Z level=warn msg="relay failed" cycle=3 relay=acs ' +
        'error.message="connect refused" error.code=ECONNREFUSED ports.25=open ' +
        'hosts="[\\"a\\",\\"b\\"]" quote="say \\"hi\\"" empty=""',
    ]);
  });

  it('human: level, message and fields on one short line', () => {
    const { lines, log } = linesOf('human');
    log.info('port status changed', { port: 25, from: null, to: 'filtered' });
    expect(lines).toEqual(['info  port status changed port=25 from=null to=filtered']);
  });

  it.each(['json', 'logfmt', 'human'] as const)(
    '%s: a multi-line error stays on one line',
    (format) => {
      const { lines, log } = linesOf(format);
      log.error('config reload failed; the running config stays in force', {
        error:
          '/etc/mxprobe/config.yaml:3: interval: bad\n/etc/mxprobe/config.yaml:5: targets: bad',
      });
      expect(lines).toHaveLength(1);
      expect(lines[0]).not.toContain('\n');
      expect(lines[0]).toContain('config.yaml:5: targets: bad');
    },
  );

  it('drops what is below the level', () => {
    const { lines, log } = linesOf('logfmt', { level: 'warn' });
    log.debug('a');
    log.info('b');
    log.warn('c');
    log.error('d');
    expect(lines.map((l) => /msg=(\w)/.exec(l)?.[1])).toEqual(['c', 'd']);
  });
});

describe('syslog priority prefix (journald)', () => {
  it.each(['json', 'logfmt'] as const)(
    '%s: <7> debug, <6> info, <4> warn, <3> error, before the line',
    (format) => {
      const { lines, log } = linesOf(format, { syslogPriority: true });
      log.debug('d');
      log.info('i');
      log.warn('w');
      log.error('e');
      expect(lines.map((l) => l.slice(0, 3))).toEqual(['<7>', '<6>', '<4>', '<3>']);
      if (format === 'json') expect(JSON.parse(lines[1]!.slice(3))).toMatchObject({ msg: 'i' });
      else expect(lines[1]!.slice(3)).toBe('time=2026-11-23T10:00:00.000Z level=info msg=i');
    },
  );

  it('no prefix without journald', () => {
    const { lines, log } = linesOf('json');
    log.error('e');
    expect(lines[0]!.startsWith('{')).toBe(true);
  });
});

describe('JOURNAL_STREAM', () => {
  const stat = { dev: 2049n, ino: 123456789012n };

  it.each([
    ['2049:123456789012', true],
    ['2049:123456789013', false],
    ['2050:123456789012', false],
    ['', false],
    [undefined, false],
    ['2049', false],
    ['x:y', false],
  ])('%j for a stream with device 2049, inode 123456789012 → %s', (value, expected) => {
    expect(matchesJournalStream(value, stat)).toBe(expected);
  });

  it('matches the device and inode of the very file descriptor', () => {
    const path = join(tmpdir(), `mxprobe-journal-${process.pid}`);
    const fd = openSync(path, 'w');
    try {
      const { dev, ino } = fstatSync(fd, { bigint: true });
      expect(isJournalStream(`${dev}:${ino}`, fd)).toBe(true);
      expect(isJournalStream(`${dev}:${ino + 1n}`, fd)).toBe(false);
      expect(isJournalStream(`${dev}:${ino}`, undefined)).toBe(false);
    } finally {
      closeSync(fd);
      rmSync(path);
    }
  });
});
