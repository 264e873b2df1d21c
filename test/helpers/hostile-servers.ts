// Hostile and odd peers on loopback: each does one thing a real server (or a network
// pretending to be one) does wrong or unusually, and `HOSTILE_VERDICTS` says what mxprobe must
// call it. The lab's misbehaving hosts (lab/zone.ts) are here too, so every wire behaviour can
// be tried without namespaces; the soak (test/helpers/soak.ts) probes them all, cycle after cycle.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { misbehave } from '../../lab/peers.js';
import { createPki } from '../../lab/pki.js';
import type { Reason, Result } from '../../src/types.js';
import {
  onLines,
  scriptedServer,
  scriptedTlsServer,
  testCert,
  type Loopback,
} from './loopback-servers.js';

export const HOSTILE_BEHAVIOURS = [
  'pipelined',
  'long-greeting',
  'escape-greeting',
  'huge-chain',
  'greet-554',
  'never-greet',
  'garbage',
  'reset',
  'slow-greet',
  'endless-line',
  'endless-reply',
  'expired-cert',
] as const;
export type HostileBehaviour = (typeof HOSTILE_BEHAVIOURS)[number];

export interface HostileVerdict {
  /** Whether the server speaks TLS from the first byte (probe it as port 465 is probed). */
  implicitTls: boolean;
  result: Result;
  reason: Reason;
  /** Answers within a few hundred ms, so a soak can probe it every cycle. */
  fast: boolean;
}

export const HOSTILE_VERDICTS: Record<HostileBehaviour, HostileVerdict> = {
  // A complete 220 line and 16 KiB more in the same write: the greeting is complete.
  pipelined: { implicitTls: false, result: 'reachable', reason: 'greeting', fast: true },
  // A legitimate multi-line 220- greeting of about 6 KiB.
  'long-greeting': { implicitTls: false, result: 'reachable', reason: 'greeting', fast: true },
  'escape-greeting': { implicitTls: false, result: 'reachable', reason: 'greeting', fast: true },
  // A TLS server whose chain is larger than this machine's TLS client reads (docs/reference.md).
  'huge-chain': { implicitTls: true, result: 'error', reason: 'local', fast: true },
  'greet-554': { implicitTls: false, result: 'blocked', reason: 'rejected', fast: true },
  'never-greet': { implicitTls: false, result: 'filtered', reason: 'no-greeting', fast: false },
  garbage: { implicitTls: false, result: 'blocked', reason: 'protocol', fast: true },
  reset: { implicitTls: false, result: 'blocked', reason: 'reset', fast: true },
  'slow-greet': { implicitTls: false, result: 'reachable', reason: 'greeting', fast: false },
  'endless-line': { implicitTls: false, result: 'blocked', reason: 'protocol', fast: true },
  // 220- lines that never end the reply: refused once past the reply limit, memory bounded.
  'endless-reply': { implicitTls: false, result: 'blocked', reason: 'protocol', fast: true },
  'expired-cert': { implicitTls: true, result: 'reachable', reason: 'greeting', fast: true },
};

/** What the escape-greeting server sends: an OSC window title, BEL, clear screen, red, and a C1 CSI. */
export const ESCAPE_GREETING =
  '220 mx\x1b]0;owned\x07.escape.test\x1b[2J\x1b[31m ESMTP\x9b6n ready\x07\r\n';

/** How long the slow greeter waits; probe it with a greeting timeout above this. */
export const SLOW_GREETING_MS = 600;

/** The 220 lines of the long greeting (about 6 KiB, each line well under 512 octets). */
export function longGreeting(): string {
  const lines = Array.from(
    { length: 80 },
    (_, i) => `220-long.test line ${String(i).padStart(2, '0')}: ${'policy text '.repeat(5)}`,
  );
  return `${lines.join('\r\n')}\r\n220 long.test ESMTP ready\r\n`;
}

/** The pipelined server's one write: a whole greeting, then 16 KiB of banner text. */
export function pipelinedBytes(): string {
  return `220 pipelined.test ESMTP ready\r\n${'* this banner keeps talking after its greeting *\r\n'.repeat(340)}`;
}

/** Where to listen: 127.0.0.1 on a free port unless said otherwise. */
export interface ListenAt {
  host?: string;
  port?: number;
}

export async function hostileServer(
  behaviour: HostileBehaviour,
  at: ListenAt = {},
): Promise<Loopback> {
  const scripted = (behave: (socket: Socket) => void): Promise<Loopback> =>
    scriptedServer(behave, at);
  switch (behaviour) {
    case 'pipelined':
      return scripted((c) => c.write(pipelinedBytes()));
    case 'long-greeting':
      return scripted((c) => c.write(longGreeting()));
    case 'escape-greeting':
      return scripted((c) => c.write(Buffer.from(ESCAPE_GREETING, 'latin1')));
    case 'huge-chain':
      return hugeChainServer(at);
    case 'greet-554':
    case 'never-greet':
    case 'garbage':
    case 'reset':
    case 'slow-greet':
    case 'endless-line':
      // The lab's misbehaving hosts, played as the lab plays them (they answer QUIT themselves).
      return scriptedServer((c) => misbehave(behaviour, c, `${behaviour}.test`, SLOW_GREETING_MS), {
        ...at,
        answerQuit: false,
      });
    case 'endless-reply':
      return scripted((c) => pump(c, '', '220-and on and on and on\r\n'.repeat(600)));
    case 'expired-cert':
      return expiredCertServer(at);
    default: {
      const never: never = behaviour;
      throw new Error(`unknown behaviour ${String(never)}`);
    }
  }
}

/** Writes `first`, then `chunk` for as long as the client reads (up to 8 MiB). */
function pump(socket: Socket, first: string, chunk: string): void {
  let sent = 0;
  const more = (): void => {
    while (!socket.destroyed && sent < 8 * 1024 * 1024 && socket.write(chunk)) sent += chunk.length;
    if (!socket.destroyed && sent < 8 * 1024 * 1024) socket.once('drain', more);
  };
  socket.write(first);
  more();
}

/** Implicit TLS whose certificate chain is about 160 KiB: over OpenSSL's 100 KiB default. */
async function hugeChainServer(at: ListenAt): Promise<Loopback> {
  const { key, cert } = testCert();
  const copies = Math.ceil((160 * 1024) / cert.length);
  return scriptedTlsServer((c) => c.write('220 huge-chain.test ESMTP\r\n'), {
    ...at,
    credentials: { key, cert: cert + cert.repeat(copies) },
  });
}

let expired: { key: string; cert: string } | undefined;

/** Implicit TLS with a certificate that expired in 2021, then a good greeting. */
async function expiredCertServer(at: ListenAt): Promise<Loopback> {
  if (expired === undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'mxprobe-expired-'));
    try {
      const host = {
        name: 'localhost',
        ipv4: '127.0.0.1',
        ipv6: '::1',
        behaviour: 'smtp' as const,
      };
      const pki = createPki(dir, [host], [host]);
      expired = {
        key: readFileSync(pki.expiredKey, 'utf8'),
        cert: readFileSync(pki.expiredCert, 'utf8'),
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return scriptedTlsServer((c) => c.write('220 expired.test ESMTP\r\n'), {
    ...at,
    credentials: expired,
  });
}

/**
 * A relay that offers AUTH PLAIN without TLS and answers every AUTH with a 535 that echoes the
 * client's credentials back verbatim: the base64 token, and its decoded text.
 */
export async function authEchoRelay(at: ListenAt = {}): Promise<Loopback> {
  return scriptedServer((socket) => {
    socket.write('220 echo-relay.test ESMTP\r\n');
    let awaitingToken = false;
    onLines(socket, (line) => {
      const token = awaitingToken ? line : /^AUTH PLAIN (\S+)/i.exec(line)?.[1];
      awaitingToken = false;
      if (token !== undefined) {
        const decoded = Buffer.from(token, 'base64').toString('latin1').replace(/\0/g, ' ');
        socket.write(`535-5.7.8 rejected ${token}\r\n535 5.7.8 you sent: ${decoded}\r\n`);
      } else if (/^AUTH PLAIN$/i.test(line)) {
        awaitingToken = true;
        socket.write('334 \r\n');
      } else if (/^AUTH LOGIN/i.test(line)) {
        socket.write(`535 5.7.8 rejected ${line.slice(11)}\r\n`);
      } else if (/^(EHLO|HELO)/i.test(line)) {
        socket.write('250-echo-relay.test\r\n250 AUTH PLAIN LOGIN\r\n');
      } else if (!/^QUIT$/i.test(line)) {
        socket.write('502 5.5.2 not here\r\n');
      }
    });
  }, at);
}
