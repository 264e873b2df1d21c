// Every hostile wire behaviour of test/helpers/hostile-servers.ts, dialled on loopback and
// classified: what each must be called (docs/reference.md, "Results and reasons"), that the
// verdict does not depend on how the bytes were cut into writes, and that what a peer sent
// reaches the report with its control characters escaped.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { classifyAttempt } from '../../src/probe/classify-attempt.js';
import { dialSmtp, type DialRequest } from '../../src/probe/dial.js';
import {
  ESCAPE_GREETING,
  HOSTILE_BEHAVIOURS,
  HOSTILE_VERDICTS,
  hostileServer,
  longGreeting,
  pipelinedBytes,
  SLOW_GREETING_MS,
} from '../helpers/hostile-servers.js';
import { scriptedServer, type Loopback } from '../helpers/loopback-servers.js';
import { mxprobe } from '../helpers/run-mxprobe.js';

const servers: Loopback[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function dial(port: number, extra: Partial<DialRequest> = {}) {
  const facts = await dialSmtp({
    address: '127.0.0.1',
    family: 4,
    port,
    servername: undefined,
    implicitTls: false,
    inspectStartTls: false,
    ehloName: 'probe.test',
    connectTimeoutMs: 2_000,
    greetingTimeoutMs: 2_000,
    ...extra,
  });
  return { ...facts, ...classifyAttempt(facts.outcome) };
}

describe('hostile servers on loopback', () => {
  it.each(HOSTILE_BEHAVIOURS.map((b) => [b, HOSTILE_VERDICTS[b]] as const))(
    '%s: %o',
    async (behaviour, verdict) => {
      const server = await hostileServer(behaviour);
      servers.push(server);
      const a = await dial(server.port, {
        implicitTls: verdict.implicitTls,
        greetingTimeoutMs: behaviour === 'never-greet' ? 500 : SLOW_GREETING_MS + 1_500,
      });
      expect({ result: a.result, reason: a.reason }).toEqual({
        result: verdict.result,
        reason: verdict.reason,
      });
      if (verdict.fast) expect(a.durationMs).toBeLessThan(1_000);
    },
  );

  it('a huge certificate chain on 465 is a local error naming the TLS limit, not a block', async () => {
    const server = await hostileServer('huge-chain');
    servers.push(server);
    const a = await dial(server.port, { implicitTls: true });
    expect(a).toMatchObject({
      result: 'error',
      reason: 'local',
      errorCode: 'ERR_SSL_EXCESSIVE_MESSAGE_SIZE',
    });
  });

  it.each([
    ['pipelined', pipelinedBytes()],
    ['long-greeting', longGreeting()],
  ])(
    '%s: the same bytes in one write, a byte at a time or in 7-byte pieces, same verdict',
    async (_name, bytes) => {
      const verdicts: string[] = [];
      for (const piece of [bytes.length, 1, 7]) {
        const server = await scriptedServer((c) => {
          let at = 0;
          const next = (): void => {
            if (c.destroyed || at >= bytes.length) return;
            c.write(bytes.slice(at, at + piece));
            at += piece;
            if (piece === bytes.length) return;
            // Small pieces, but not so many timers that the greeting timeout runs out.
            if (at % 512 < piece) setImmediate(next);
            else next();
          };
          next();
        });
        servers.push(server);
        const a = await dial(server.port, { greetingTimeoutMs: 5_000 });
        verdicts.push(`${a.result}/${a.reason} ${a.greeting}`);
      }
      expect(new Set(verdicts).size).toBe(1);
      expect(verdicts[0]).toMatch(/^reachable\/greeting 220 /);
    },
  );

  it('a greeting with ESC, BEL and a C1 CSI is reported with them escaped', async () => {
    const server = await hostileServer('escape-greeting');
    servers.push(server);
    const a = await dial(server.port);
    expect(a.result).toBe('reachable');
    expect(a.greeting).toBe(
      '220 mx\\x1b]0;owned\\x07.escape.test\\x1b[2J\\x1b[31m ESMTP\\x9b6n ready\\x07',
    );
    expect(ESCAPE_GREETING).toContain('\x1b');
    // eslint-disable-next-line no-control-regex -- looking for raw control characters
    expect(a.greeting).not.toMatch(/[\x00-\x1f\x7f-\x9f]/);
  });

  it('server text in the human report (a relay turning us away) is printed escaped, stdout a file', async () => {
    const relay = await scriptedServer((c) =>
      c.write(Buffer.from('554 5.7.1 \x1b]0;owned\x07\x1b[2J go away \x9b6n\r\n', 'latin1')),
    );
    const smtp = await hostileServer('escape-greeting');
    servers.push(relay, smtp);
    const file = join(mkdtempSync(join(tmpdir(), 'mxprobe-escape-')), 'escape.yaml');
    writeFileSync(
      file,
      `targets:\n  - host: 127.0.0.1\n    ports: [${smtp.port}]\nrelays:\n  - {name: hostile, host: 127.0.0.1, port: ${relay.port}, secure: none}\n`,
    );
    const run = await mxprobe(['probe', '--once', '--no-cloud-detection', '--config', file]);
    expect(run.stdout).toMatch(
      /Relays\n {2}hostile {2}127\.0\.0\.1:\d+ {2}blocked {2}greeting rejected: 554 5\.7\.1 \\x1b\]0;owned\\x07\\x1b\[2J go away \\x9b6n/,
    );
    // eslint-disable-next-line no-control-regex -- looking for raw control characters
    expect(run.stdout).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f]/);
    expect(run.stderr).toBe('');
  });
});
