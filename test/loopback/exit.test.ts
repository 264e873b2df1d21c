// `probe --once` exits as soon as its report is out (within 0.5 s of the end of its pass),
// whatever the servers do after the verdict: a server that never answers QUIT, one that never
// greets, a DNS channel that never answers. Each server counts its connections: an attempt
// whose greeting is decided never opens another.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUIT_REPLY_MS } from '../../src/smtp/inspect-and-quit.js';
import type { Report } from '../../src/types.js';
import { startDnsServer, type DnsServer } from '../../lab/dns-server.js';
import { scriptedServer, type Loopback } from '../helpers/loopback-servers.js';
import { MXPROBE_BIN } from '../helpers/run-mxprobe.js';
import { spawn } from 'node:child_process';

const EXIT_AFTER_PASS_MS = 500;

/** Runs `probe --once --json ARGS`; how long after its pass ended did the process exit? */
function probeOnce(
  args: string[],
): Promise<{ code: number | null; report: Report; lagMs: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MXPROBE_BIN, 'probe', '--once', '--json', ...args]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('exit', (code) => {
      const exitedAt = Date.now();
      child.once('close', () => {
        try {
          const report = JSON.parse(stdout) as Report;
          const passEnd = Date.parse(report.startedAt) + report.durationMs;
          resolve({ code, report, lagMs: exitedAt - passEnd });
        } catch (error) {
          reject(new Error(`no JSON report (exit ${String(code)}): ${stderr}`, { cause: error }));
        }
      });
    });
  });
}

// `received` holds one list per connection: its length counts the connections.
const servers: Loopback[] = [];
let dns: DnsServer;
let greeterNoQuit: Loopback;
let silent: Loopback;

beforeAll(async () => {
  // Greets, then ignores everything, QUIT included, and never closes.
  greeterNoQuit = await scriptedServer((s) => s.write('220 mute.test ESMTP\r\n'), {
    answerQuit: false,
  });
  // Accepts and never says a word.
  silent = await scriptedServer(() => undefined, { answerQuit: false });
  servers.push(greeterNoQuit, silent);
  dns = await startDnsServer(
    { mx: { 'exit.test': ['mx.exit.test'] }, a: { 'mx.exit.test': ['127.0.0.1'] } },
    { ignoreFirstAsker: true },
  );
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await dns.close();
});

describe('probe --once exits within 0.5 s of the end of its pass', () => {
  it('when a server never answers QUIT', async () => {
    const run = await probeOnce(['--host', '127.0.0.1', '--ports', String(greeterNoQuit.port)]);
    expect(run.report.attempts.map((a) => `${a.result}/${a.reason}`)).toEqual([
      'reachable/greeting',
    ]);
    // The pass ends with the verdict: waiting for the answer to QUIT is not part of it.
    expect(run.report.durationMs).toBeLessThan(QUIT_REPLY_MS);
    expect(run.lagMs).toBeLessThan(EXIT_AFTER_PASS_MS);
    expect(greeterNoQuit.received.length).toBe(1);
  });

  it('when a server never greets (greeting timeout, backups included)', async () => {
    const before = silent.received.length;
    const run = await probeOnce([
      '--host',
      '127.0.0.1',
      '--ports',
      String(silent.port),
      '--greeting-timeout',
      '1500',
    ]);
    expect(run.report.attempts.map((a) => `${a.result}/${a.reason}`)).toEqual([
      'filtered/no-greeting',
    ]);
    expect(run.lagMs).toBeLessThan(EXIT_AFTER_PASS_MS);
    // The original connection and the backup raced beside it after 1 s of silence.
    expect(silent.received.length - before).toBe(2);
  });

  it('when a backup connection still waits for its greeting as the original greets', async () => {
    // The first connection greets after 1.2 s, so a backup starts beside it at 1 s; the backup
    // hears nothing, and is still waiting (up to the 10 s greeting timeout) when the verdict
    // arrives on the original.
    const lateGreeter = await scriptedServer(
      (s) => {
        if (lateGreeter.received.length === 1)
          setTimeout(() => s.write('220 late.test ESMTP\r\n'), 1_200);
      },
      { answerQuit: false },
    );
    servers.push(lateGreeter);
    const run = await probeOnce(['--host', '127.0.0.1', '--ports', String(lateGreeter.port)]);
    expect(run.report.attempts.map((a) => `${a.result}/${a.reason}`)).toEqual([
      'reachable/greeting',
    ]);
    expect(run.lagMs).toBeLessThan(EXIT_AFTER_PASS_MS);
    expect(lateGreeter.received.length).toBe(2);
  });

  it('when one DNS channel never answers (the hedged twin does)', async () => {
    const before = greeterNoQuit.received.length;
    const run = await probeOnce([
      '--domain',
      'exit.test',
      '--dns-server',
      dns.address,
      '--family',
      '4',
      '--ports',
      String(greeterNoQuit.port),
    ]);
    expect(run.report.targets[0]?.resolution).toBe('ok');
    expect(run.report.attempts.map((a) => `${a.result}/${a.reason}`)).toEqual([
      'reachable/greeting',
    ]);
    expect(run.lagMs).toBeLessThan(EXIT_AFTER_PASS_MS);
    expect(greeterNoQuit.received.length - before).toBe(1);
  });
});
