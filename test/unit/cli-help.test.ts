// --help as a person reads it: fitted to the terminal, the exporter flags under their
// Prometheus names once each with their old names as aliases; and the aliases meaning the same.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { wrap, wrapCommand } from '../../src/cli/help.js';
import { main, type CliIo } from '../../src/cli/main.js';
import { COMMANDS, longName } from '../../src/cli/flags.js';
import { FLAG_PARSERS, probeFlags } from '../../src/cli/options.js';
import { MXPROBE_BIN } from '../helpers/run-mxprobe.js';

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
    expect(text).toMatch(/\n {2}--web\.listen-address <\[addr\]:port>\n {6}where \//);
  });

  it('on a 160-column terminal: lines use the width (up to 120), none longer', async () => {
    const text = await help(['probe', '--help'], 160);
    expect(longest(text)).toBeGreaterThan(100);
    expect(longest(text)).toBeLessThanOrEqual(120);
    // The description column sits beside the flag.
    expect(text).toMatch(/ {2}--web\.listen-address <\[addr\]:port> {2}where \//);
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

  it('an alias means the same as the flag', () => {
    const listen = { host: '127.0.0.1', port: 9725, text: '127.0.0.1:9725', origin: '--listen' };
    const base = { cloudDetection: true };
    expect(
      probeFlags({ ...base, config: 'a.yaml', listen, logLevel: 'debug', domain: ['x.test'] }),
    ).toEqual(
      probeFlags({
        ...base,
        'config.file': 'a.yaml',
        'web.listenAddress': listen,
        'log.level': 'debug',
        domain: ['x.test'],
      }),
    );
    expect(probeFlags(base)).toEqual({
      ...base,
      domain: [],
      host: [],
      dnsServer: [],
      egressAddress: [],
    });
  });

  it.each([
    [
      ['probe', '--listen', ':1', '--web.listen-address', ':2'],
      /'--web\.listen-address <\[addr\]:port>' cannot be used with option '--listen/,
    ],
    [['probe', '--config', 'a', '--config.file', 'b'], /cannot be used with/],
    [
      ['probe', '--log.format', 'text'],
      /--log\.format <format>' argument 'text' is invalid\. expected logfmt or json/,
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
  it('name the same flags: every flag that takes a value (aliases too) has a parser, and no parser is left over', () => {
    const spellings = COMMANDS.flatMap((c) => c.groups.flatMap((g) => g.flags)).flatMap((f) => [
      f.flags,
      ...(f.alias ? [f.alias.flags] : []),
    ]);
    // Files and paths are taken as given (commander's default); every other value is checked.
    const taken = new Set(['--config.file', '--config', '--web.config.file', '--textfile']);
    const withValue = new Set(
      spellings
        .filter((f) => f.includes('<'))
        .map(longName)
        .filter((n) => !taken.has(n)),
    );
    expect(new Set(Object.keys(FLAG_PARSERS))).toEqual(withValue);
  });

  it.each([['--help'], ['probe', '--help'], ['--version']])(
    '%s loads neither commander nor the parsers, the YAML parser or the probe engine',
    async (...args) => {
      const loaded = await modulesLoadedBy(args);
      expect(loaded.some((url) => url.endsWith('/src/cli/main.js'))).toBe(true);
      for (const heavy of [
        'commander',
        'yaml',
        'prom-client',
        'nodemailer',
        'src/cli/options.js',
        'src/cli/program.js',
        'src/probe/',
      ])
        expect(loaded.filter((url) => url.includes(heavy))).toEqual([]);
    },
  );
});

/** The modules a run of the built CLI resolves, as file URLs (a module.register hook logs them). */
async function modulesLoadedBy(args: string[]): Promise<string[]> {
  const hooks = `data:text/javascript,${encodeURIComponent(
    'export async function resolve(s, c, next) { const r = await next(s, c); process.stderr.write(r.url + "\\n"); return r; }',
  )}`;
  const register = `data:text/javascript,${encodeURIComponent(
    `import { register } from 'node:module'; register(${JSON.stringify(hooks)});`,
  )}`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', register, MXPROBE_BIN, ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('close', () => resolve(err.split('\n').filter((line) => /^(file|node):/.test(line))));
  });
}

describe('a reader that goes away', () => {
  it('`mxprobe --help | head -0`: exit 0, no stack trace', async () => {
    const child = spawn(process.execPath, [MXPROBE_BIN, 'probe', '--help'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // The reader closes its end before mxprobe writes a byte.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
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
