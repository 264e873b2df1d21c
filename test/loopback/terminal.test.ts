// `mxprobe probe --once` on a terminal that reports no size: under `script` (a pseudo-terminal
// nobody has sized) stdout is a TTY with 0 columns. The report must still read as prose.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closedPort, realSmtpServer, type Loopback } from '../helpers/loopback-servers.js';
import { MXPROBE_BIN } from '../helpers/run-mxprobe.js';

let smtp: Loopback;
let closed: number;

beforeAll(async () => {
  smtp = await realSmtpServer();
  closed = await closedPort();
});
afterAll(() => smtp.close());

/** The command run under `script -qc`, what the pseudo-terminal showed (CR LF made LF). */
function underScript(args: string[]): Promise<string> {
  const command = [process.execPath, MXPROBE_BIN, ...args].map((a) => `'${a}'`).join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qc', command, '/dev/null'], {
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', () => resolve(out.replace(/\r\n/g, '\n')));
  });
}

describe('probe --once on a terminal of 0 columns (script -qc)', () => {
  it('wraps the diagnosis at the default width, not one word per line', async () => {
    const ports = `${smtp.port},${closed}`;
    const out = await underScript(['probe', '--once', '--host', '127.0.0.1', '--ports', ports]);
    expect(out).toMatch(/Diagnosis: partial/);
    const summary = out.split('Diagnosis: partial')[1]?.split('\n')[1] ?? '';
    expect(summary).toMatch(/^ {2}Some destinations fail while others work/);
    expect(summary.length).toBeGreaterThan(60);
    expect(summary.length).toBeLessThanOrEqual(100);
    // The host was named by its address: it is printed once, not as "127.0.0.1 127.0.0.1".
    expect(out).toContain(`- Failing: 127.0.0.1 port ${closed} blocked/refused.`);
  });
});
