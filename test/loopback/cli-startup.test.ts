// The built `mxprobe` at startup: what `--help` and `--version` load, and a reader that goes
// away before the help is written.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { MXPROBE_BIN } from '../helpers/run-mxprobe.js';

describe('a light start', () => {
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
        'src/config/kinds.js',
        'src/pass/',
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
