// One attempt against real loopback servers, classified: every rule of docs/reference.md ("Results and reasons") that
// loopback can show. (Silent drops, ICMP and loss need the namespace lab: test/lab.)
import { afterEach, describe, expect, it } from 'vitest';
import { classifyAttempt } from '../../src/probe/classify-attempt.js';
import { dialSmtp, type DialRequest } from '../../src/probe/dial.js';
import {
  closedPort,
  realSmtpServer,
  scriptedServer,
  scriptedTlsServer,
  type Loopback,
} from '../helpers/loopback-servers.js';

const servers: Loopback[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
async function serve(server: Promise<Loopback>): Promise<Loopback> {
  const s = await server;
  servers.push(s);
  return s;
}

/** Waits (up to 5 s) for what a server sees after the probe has returned. */
async function until(seen: () => boolean): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!seen() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
}

function request(port: number, extra: Partial<DialRequest> = {}): DialRequest {
  return {
    address: '127.0.0.1',
    family: 4,
    port,
    servername: undefined,
    implicitTls: false,
    inspectStartTls: false,
    ehloName: 'probe.test',
    connectTimeoutMs: 2_500,
    greetingTimeoutMs: 1_000,
    ...extra,
  };
}

async function attempt(port: number, extra: Partial<DialRequest> = {}) {
  const facts = await dialSmtp(request(port, extra));
  return { ...facts, ...classifyAttempt(facts.outcome) };
}

describe('dialSmtp + classifyAttempt on loopback', () => {
  it('a real SMTP server greets: reachable/greeting, then the probe says QUIT and nothing else', async () => {
    const s = await serve(realSmtpServer());
    const a = await attempt(s.port);
    expect(a).toMatchObject({
      result: 'reachable',
      reason: 'greeting',
      tls: null,
      connectTries: 1,
    });
    expect(a.greeting).toMatch(/^220 mx\.loopback\.test/);
    expect(a.durationMs).toBeLessThan(500);
    // The server reads the QUIT a moment after the probe has sent it and returned.
    await until(() => s.received.flat().length > 0);
    expect(s.received.flat()).toEqual(['QUIT']);
  });

  it('a multi-line 220- greeting is reachable, with its first line reported', async () => {
    const s = await serve(
      scriptedServer((c) => c.write('220-mx.test ESMTP\r\n220-no UCE\r\n220 ready\r\n')),
    );
    const a = await attempt(s.port);
    expect(a).toMatchObject({
      result: 'reachable',
      reason: 'greeting',
      greeting: '220 mx.test ESMTP',
    });
  });

  it('a greeting split across packets is still read whole', async () => {
    const s = await serve(
      scriptedServer((c) => {
        c.write('22');
        setTimeout(() => c.write('0 mx.test slow typist\r\n'), 100);
      }),
    );
    expect(await attempt(s.port)).toMatchObject({
      result: 'reachable',
      greeting: '220 mx.test slow typist',
    });
  });

  it('nothing listening: blocked/refused, fast', async () => {
    const a = await attempt(await closedPort());
    expect(a).toMatchObject({ result: 'blocked', reason: 'refused', errorCode: 'ECONNREFUSED' });
    expect(a.durationMs).toBeLessThan(200);
  });

  it('554 greeting: blocked/rejected, the line reported', async () => {
    const s = await serve(scriptedServer((c) => c.write('554 no service here\r\n')));
    expect(await attempt(s.port)).toMatchObject({
      result: 'blocked',
      reason: 'rejected',
      greeting: '554 no service here',
    });
  });

  it('garbage instead of SMTP: blocked/protocol', async () => {
    const s = await serve(scriptedServer((c) => c.write('HTTP/1.1 400 Bad Request\r\n\r\n')));
    expect(await attempt(s.port)).toMatchObject({
      result: 'blocked',
      reason: 'protocol',
      greeting: null,
    });
  });

  it('reset right after accept: blocked/reset', async () => {
    const s = await serve(scriptedServer((c) => c.resetAndDestroy()));
    expect(await attempt(s.port)).toMatchObject({ result: 'blocked', reason: 'reset' });
  });

  it('closed after half a greeting: blocked/reset', async () => {
    const s = await serve(scriptedServer((c) => c.end('220 mx.te')));
    expect(await attempt(s.port)).toMatchObject({ result: 'blocked', reason: 'reset' });
  });

  it('silence after accept: filtered/no-greeting at the greeting timeout', async () => {
    const s = await serve(scriptedServer(() => undefined));
    const a = await attempt(s.port, { greetingTimeoutMs: 400 });
    expect(a).toMatchObject({ result: 'filtered', reason: 'no-greeting' });
    expect(a.durationMs).toBeGreaterThanOrEqual(390);
    expect(a.durationMs).toBeLessThan(1_000);
  });

  it('a slow greeting: filtered/no-greeting when later than the timeout, reachable within it', async () => {
    const s = await serve(
      scriptedServer((c) => setTimeout(() => c.write('220 slow.test\r\n'), 600)),
    );
    expect(await attempt(s.port, { greetingTimeoutMs: 300 })).toMatchObject({
      result: 'filtered',
      reason: 'no-greeting',
    });
    expect(await attempt(s.port, { greetingTimeoutMs: 2_000 })).toMatchObject({
      result: 'reachable',
      reason: 'greeting',
    });
  });

  it('an endless greeting line: blocked/protocol, the probe stops reading after a few KiB', async () => {
    let sent = 0;
    const s = await serve(
      scriptedServer((c) => {
        c.write('220 ');
        const chunk = 'x'.repeat(16 * 1024);
        const pump = (): void => {
          while (!c.destroyed && sent < 4 * 1024 * 1024 && c.write(chunk)) sent += chunk.length;
          if (!c.destroyed && sent < 4 * 1024 * 1024) c.once('drain', pump);
        };
        pump();
      }),
    );
    const a = await attempt(s.port, { greetingTimeoutMs: 5_000 });
    expect(a).toMatchObject({ result: 'blocked', reason: 'protocol' });
    expect(a.durationMs).toBeLessThan(1_000);
  });

  it('implicit TLS with a self-signed certificate: reachable, certificate facts beside it', async () => {
    const s = await serve(scriptedTlsServer((c) => c.write('220 tls.test ESMTP\r\n')));
    const a = await attempt(s.port, { implicitTls: true, servername: 'localhost' });
    expect(a).toMatchObject({
      result: 'reachable',
      reason: 'greeting',
      greeting: '220 tls.test ESMTP',
    });
    expect(a.tls).toMatchObject({ authorized: false, subject: 'localhost' });
    expect(a.tls?.protocol).toMatch(/^TLSv1\.[23]$/);
    expect(a.tls?.authorizationError).toBeTruthy();
    expect(Date.parse(a.tls?.validTo ?? '')).toBeGreaterThan(Date.now());
  });

  it('implicit TLS expected, plain SMTP spoken: blocked/protocol', async () => {
    const s = await serve(scriptedServer((c) => c.write('220 plain.test ESMTP\r\n')));
    expect(await attempt(s.port, { implicitTls: true })).toMatchObject({
      result: 'blocked',
      reason: 'protocol',
    });
  });

  it('implicit TLS aborted by the peer: blocked/reset', async () => {
    const s = await serve(scriptedServer((c) => c.once('data', () => c.resetAndDestroy())));
    expect(await attempt(s.port, { implicitTls: true })).toMatchObject({
      result: 'blocked',
      reason: 'reset',
    });
  });

  it('implicit TLS never answered: filtered/no-greeting', async () => {
    const s = await serve(scriptedServer(() => undefined));
    expect(await attempt(s.port, { implicitTls: true, greetingTimeoutMs: 300 })).toMatchObject({
      result: 'filtered',
      reason: 'no-greeting',
    });
  });

  it('on a STARTTLS port it inspects TLS after the greeting: EHLO, STARTTLS, facts, QUIT', async () => {
    const s = await serve(realSmtpServer());
    const a = await attempt(s.port, { inspectStartTls: true, servername: 'localhost' });
    expect(a).toMatchObject({ result: 'reachable', starttls: true });
    expect(a.tls).toMatchObject({ authorized: false, subject: 'localhost' });
    const plain = s.received.flat();
    expect(plain.slice(0, 2)).toEqual(['EHLO probe.test', 'STARTTLS']);
    expect(plain.some((l) => /^(MAIL|RCPT)/i.test(l))).toBe(false);
  });

  it('a connection that stays silent gets a backup; the backup greeting proves reachability', async () => {
    // What a lost final ACK looks like from here: connected, but the server never greets us.
    let accepted = 0;
    const s = await serve(
      scriptedServer((c) => {
        accepted += 1;
        if (accepted > 1) c.write('220 second.test ESMTP\r\n');
      }),
    );
    const a = await attempt(s.port, { greetingTimeoutMs: 5_000 });
    expect(a).toMatchObject({ result: 'reachable', reason: 'greeting', connections: 2 });
    expect(a.greeting).toBe('220 second.test ESMTP');
    expect(a.durationMs).toBeGreaterThanOrEqual(1_000);
    expect(a.durationMs).toBeLessThan(2_000);
  });

  it('a backup can only prove reachability: its 421 does not block a slow greeter', async () => {
    let accepted = 0;
    const s = await serve(
      scriptedServer((c) => {
        accepted += 1;
        if (accepted === 1) setTimeout(() => c.write('220 slow.test ESMTP\r\n'), 1_500);
        else c.write('421 too many connections from your address\r\n');
      }),
    );
    const a = await attempt(s.port, { greetingTimeoutMs: 5_000 });
    expect(a).toMatchObject({
      result: 'reachable',
      greeting: '220 slow.test ESMTP',
      connections: 2,
    });
  });

  it('a server that talks does not get a second connection', async () => {
    const s = await serve(scriptedServer((c) => c.write('220-hello, wait for it\r\n')));
    const a = await attempt(s.port, { greetingTimeoutMs: 1_500 });
    expect(a).toMatchObject({ result: 'filtered', reason: 'no-greeting', connections: 1 });
  });

  it('aborting stops an attempt at once', async () => {
    const s = await serve(scriptedServer(() => undefined));
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const started = Date.now();
    await expect(
      dialSmtp(request(s.port, { greetingTimeoutMs: 5_000, signal: controller.signal })),
    ).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
