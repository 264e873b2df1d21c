// A pass with eight relays and many attempts in flight under one cycle signal, as the daemon
// runs it: every attempt and relay waits on a signal of its own (util/abort.ts), so Node never
// warns "MaxListenersExceededWarning: Possible EventTarget memory leak" about the cycle signal,
// and an abort still stops everything at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/default-config.js';
import type { ProbeConfig } from '../../src/config/types.js';
import { runPass } from '../../src/pass/run.js';
import type { RelaySpec } from '../../src/types.js';
import { authEchoRelay, hostileServer } from '../helpers/hostile-servers.js';
import { closedPort, realSmtpServer, type Loopback } from '../helpers/loopback-servers.js';

const RELAYS = 8;
let smtp: Loopback;
let relay: Loopback;
let silent: Loopback[];
let closed: number;

beforeAll(async () => {
  [smtp, relay] = await Promise.all([realSmtpServer(), authEchoRelay()]);
  // Listeners that never greet keep their attempts in flight until the greeting timeout.
  silent = await Promise.all(Array.from({ length: 14 }, () => hostileServer('never-greet')));
  closed = await closedPort();
  process.env.MXPROBE_LISTENERS_TEST_SECRET = 'not-a-real-password';
});
afterAll(async () => {
  await Promise.all([smtp.close(), relay.close(), ...silent.map((s) => s.close())]);
});

function config(relayPort: number, ports: number[]): ProbeConfig {
  const relays: RelaySpec[] = Array.from({ length: RELAYS }, (_, i) => ({
    name: `relay${i}`,
    host: '127.0.0.1',
    port: relayPort,
    secure: 'none',
    username: `user${i}`,
    passwordEnv: 'MXPROBE_LISTENERS_TEST_SECRET',
  }));
  return {
    ...defaultConfig(),
    connectTimeoutMs: 1_000,
    greetingTimeoutMs: 500,
    hostSpacingMs: 1,
    targets: [{ kind: 'host', name: '127.0.0.1', ports }],
    relays,
    cloud: { ...defaultConfig().cloud, enabled: false },
  };
}

async function warningsDuring(work: () => Promise<unknown>): Promise<Error[]> {
  const warnings: Error[] = [];
  const onWarning = (warning: Error): void => void warnings.push(warning);
  process.on('warning', onWarning);
  try {
    await work();
    await new Promise((resolve) => setTimeout(resolve, 50));
  } finally {
    process.off('warning', onWarning);
  }
  return warnings;
}

describe('one cycle signal, eight relays, sixteen attempts in flight', () => {
  it('no MaxListenersExceededWarning, and every relay and attempt is done', async () => {
    const controller = new AbortController();
    const ports = [smtp.port, closed, ...silent.map((s) => s.port)];
    let report: Awaited<ReturnType<typeof runPass>> | undefined;
    const warnings = await warningsDuring(async () => {
      report = await runPass(config(relay.port, ports), { signal: controller.signal });
    });
    expect(warnings.map((w) => `${w.name}: ${w.message}`)).toEqual([]);
    expect(report?.relays.filter((r) => r.status === 'auth-failed')).toHaveLength(RELAYS);
    expect(report?.attempts.map((a) => `${a.result}/${a.reason}`).sort()).toEqual(
      ['reachable/greeting', 'blocked/refused', ...silent.map(() => 'filtered/no-greeting')].sort(),
    );
  });

  it('an abort still reaches every relay and attempt at once: the pass ends with its reason', async () => {
    const controller = new AbortController();
    const stop = new Error('stop');
    const slow = config(silent[0]!.port, [silent[0]!.port, silent[1]!.port]);
    setTimeout(() => controller.abort(stop), 200);
    const started = Date.now();
    let outcome: { report: unknown } | { error: unknown } | undefined;
    const warnings = await warningsDuring(async () => {
      outcome = await runPass(
        { ...slow, greetingTimeoutMs: 10_000 },
        { signal: controller.signal },
      ).then(
        (report) => ({ report }),
        (error: unknown) => ({ error }),
      );
    });
    expect(outcome).toEqual({ error: stop });
    // Without the abort the silent servers hold every attempt and relay for the 10 s greeting
    // timeout; half of that leaves room for a loaded machine.
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(warnings).toEqual([]);
  });
});
