// --help as a person reads it: fitted to the terminal, the exporter flags under their
// Prometheus names once each with their old names as aliases; and the aliases meaning the same.
import { describe, expect, it } from 'vitest';
import { wrapCommand } from '../../../src/cli/help.js';
import { wrap } from '../../../src/util/text.js';
import { main, type CliIo } from '../../../src/cli/main.js';
import { settingFlagWords } from '../../../src/cli/flags.js';
import { settingRows } from '../../../src/config/settings.js';

interface Terminal {
  io: CliIo;
  out(): string;
  err(): string;
}

function terminal(columns: number | undefined, isTTY = true): Terminal {
  let out = '';
  let err = '';
  const stream = (append: (text: string) => void) =>
    ({
      isTTY,
      columns,
      write: (text: string) => {
        append(text);
        return true;
      },
    }) as unknown as CliIo['stdout'];
  return {
    io: {
      stdout: stream((t) => (out += t)),
      stderr: stream((t) => (err += t)),
      env: {},
    },
    out: () => out,
    err: () => err,
  };
}

async function help(argv: string[], columns: number | undefined, isTTY = true): Promise<string> {
  const t = terminal(columns, isTTY);
  expect(await main(argv, t.io)).toBe(0);
  return t.out();
}

const longest = (text: string): number => Math.max(...text.split('\n').map((l) => l.length));

describe('--help fits the terminal', () => {
  it.each([[['--help']], [['probe', '--help']], [['check-config', '--help']]])(
    '%j on a 60-column terminal: no line longer than 60',
    async (argv) => {
      const text = await help(argv, 60);
      expect(longest(text)).toBeLessThanOrEqual(60);
      expect(text).toContain('Usage: mxprobe');
    },
  );

  it('on a 60-column terminal, a description goes under its flag', async () => {
    const text = await help(['probe', '--help'], 60);
    expect(text).toMatch(/\n {2}--web\.listen-address <\[host\]:port>\n {6}where \//);
  });

  it('on a 160-column terminal: lines use the width (up to 120), none longer', async () => {
    const text = await help(['probe', '--help'], 160);
    expect(longest(text)).toBeGreaterThan(100);
    expect(longest(text)).toBeLessThanOrEqual(120);
    // The description column sits beside the flag.
    expect(text).toMatch(/ {2}--web\.listen-address <\[host\]:port> {2}where \//);
  });

  it('not a terminal (a pipe, a file): 80 columns', async () => {
    const text = await help(['probe', '--help'], 200, false);
    expect(longest(text)).toBeLessThanOrEqual(80);
    expect(longest(text)).toBeGreaterThan(70);
  });

  it('examples wrap so that they can be pasted back', async () => {
    const text = await help(['--help'], 50);
    expect(text).toContain(
      '  mxprobe probe --once --host smtp.example.com \\\n    --ports 587,465 --json',
    );
  });
});

describe('exporter flags', () => {
  it('probe --help shows each exporter flag once, with its alias, and never the alias alone', async () => {
    const text = await help(['probe', '--help'], undefined, false);
    const count = (flag: string): number => text.split(flag).length - 1;
    for (const [flag, alias] of [
      ['--web.listen-address', '--listen'],
      ['--config.file', '--config'],
      ['--log.level', '--log-level'],
    ]) {
      expect(count(`  ${flag} <`)).toBe(1);
      expect(text).toMatch(new RegExp(`\\(alias\\s+${alias}\\)`));
      expect(text).not.toMatch(new RegExp(`^\\s+${alias} <`, 'm'));
    }
    expect(count('  --web.config.file <file>')).toBe(1);
    expect(count('  --log.format <format>')).toBe(1);
  });

  it('an alias means the same as the flag', async () => {
    const runs = await Promise.all(
      [
        ['check-config', '--config', '/nonexistent/a.yaml'],
        ['check-config', '--config.file', '/nonexistent/a.yaml'],
      ].map(async (argv) => {
        const t = terminal(80, false);
        return { code: await main(argv, t.io), err: t.err() };
      }),
    );
    expect(runs[0]).toEqual({
      code: 2,
      err: 'mxprobe: /nonexistent/a.yaml: cannot read config file: no such file\n',
    });
    expect(runs[1]).toEqual(runs[0]);
  });

  it.each([
    [
      ['probe', '--listen', ':1', '--web.listen-address', ':2'],
      /'--web\.listen-address <\[host\]:port>' cannot be used with option '--listen/,
    ],
    [['probe', '--config', 'a', '--config.file', 'b'], /cannot be used with/],
    [
      ['probe', '--log.format', 'text'],
      /--log\.format <format>' argument 'text' is invalid\. --log\.format expects logfmt or json/,
    ],
    [
      ['probe', '--once', '--web.config.file', 'w.yml'],
      /^mxprobe: --web\.config\.file goes with the daemon/,
    ],
  ])('%j: one line, exit 2', async (argv, message) => {
    const t = terminal(80, false);
    expect(await main(argv, t.io)).toBe(2);
    expect(t.err()).toMatch(message);
    expect(t.err().trim().split('\n')).toHaveLength(1);
  });

  it('--version answers without parsing anything else', async () => {
    const t = terminal(80, false);
    expect(await main(['--version'], t.io)).toBe(0);
    expect(t.out()).toMatch(
      /^mxprobe, version \d+\.\d+\.\d+ \(revision: ([0-9a-f]{12}|unknown)\)\n/,
    );
    expect(t.out()).toContain(`  node.js version:  ${process.version}\n`);
    const viaCommander = terminal(80, false);
    expect(await main(['-V', '--help'], viaCommander.io)).toBe(0);
  });
});

describe('the flag table and the value parsers', () => {
  it('probe --help shows every flag of the settings table with its words, default and bounds', async () => {
    const text = (await help(['probe', '--help'], 1000)).replace(/\s+/g, ' ');
    const rows = settingRows().filter(([, row]) => row.flag !== null);
    expect(rows.length).toBeGreaterThan(5);
    for (const [, row] of rows) expect(text).toContain(settingFlagWords(row));
    expect(text).toContain('--connect-timeout <ms> give up on a TCP connect after this long');
    expect(text).toContain('(default 1500ms; 100ms to 1m)');
  });
});

describe('wrapping', () => {
  it('wraps at words and keeps a word longer than the line whole', () => {
    expect(wrap('aa bb cc dd', 5)).toBe('aa bb\ncc dd');
    expect(wrap('a verylongword b', 6, 2)).toBe('  a\n  verylongword\n  b');
    expect(wrap('one\ntwo three', 20)).toBe('one\ntwo three');
  });

  it('breaks a command with a continuation backslash', () => {
    expect(wrapCommand('mxprobe probe --once --json', 20)).toBe(
      '  mxprobe probe \\\n    --once --json',
    );
  });
});
