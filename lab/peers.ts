// The fake SMTP peers of the lab, the bench and the loopback tests, one family: the line reader,
// the QUIT-only tail, what each misbehaving host of lab/zone.ts does with a connection, and the
// bench's light greeter. The servers around them only bind and record: lab/servers.ts in the
// lab's internet namespace, bench/greeter.ts for the bench, test/helpers/*-servers.ts on
// loopback.

import type net from 'node:net';
import type { Behaviour } from './zone.js';

/** The behaviours a hand-made socket plays (`smtp` and `expired-cert` are real SMTP servers). */
export type WireBehaviour = Exclude<Behaviour, 'smtp' | 'expired-cert'>;

/** How long a socket that is left hanging on purpose stays open before the server gives up. */
const HOLD_MS = 120_000;

/** Calls `onLine` with each line the client sends, CRLF or LF ended, read as latin1. */
export function onLines(socket: net.Socket, onLine: (line: string) => void): void {
  let buffer = '';
  socket.on('data', (chunk: Buffer | string) => {
    buffer += typeof chunk === 'string' ? chunk : chunk.toString('latin1');
    let end: number;
    while ((end = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, end).replace(/\r$/, '');
      buffer = buffer.slice(end + 1);
      onLine(line);
    }
  });
}

/** A tiny SMTP tail for hand-made greetings: answers QUIT, refuses everything else. */
export function answerUntilQuit(socket: net.Socket, otherReply: string): void {
  onLines(socket, (line) => {
    if (socket.writableEnded) return;
    if (line.trim().toUpperCase() === 'QUIT') socket.end('221 2.0.0 bye\r\n');
    else socket.write(`${otherReply}\r\n`);
  });
}

/** Writes `first`, then `chunk` whenever the client has read the last one, while it reads. */
function pumpEndlessly(socket: net.Socket, first: string, chunk: string): void {
  const pump = (): void => {
    while (!socket.destroyed && socket.write(chunk)) {
      // keep writing until the kernel buffer is full
    }
  };
  socket.write(first);
  socket.on('drain', pump);
  pump();
}

/**
 * What a misbehaving host does with a connection, once (on 465 the caller may run it after
 * TLS). `name` is the host name its greeting gives; a slow greeting comes after `slowGreetingMs`.
 */
export function misbehave(
  behaviour: WireBehaviour,
  socket: net.Socket,
  name: string,
  slowGreetingMs: number,
): void {
  socket.on('error', () => undefined);
  socket.setTimeout(HOLD_MS, () => socket.destroy());
  switch (behaviour) {
    case 'greet-554':
      socket.write(`554 5.3.2 ${name} no service here (lab)\r\n`);
      answerUntilQuit(socket, '503 5.5.1 no service here');
      return;
    case 'never-greet':
      // Hold the connection and say nothing.
      return;
    case 'garbage':
      socket.write(
        Buffer.from(
          'HTTP/1.1 400 Bad Request\r\nServer: not-smtp\r\n\r\n\x00\xff\xfe garbage',
          'latin1',
        ),
      );
      return;
    case 'reset':
      socket.resetAndDestroy();
      return;
    case 'slow-greet': {
      const timer = setTimeout(() => {
        socket.write(`220 ${name} ESMTP mxprobe lab (slow)\r\n`);
        answerUntilQuit(socket, '502 5.5.1 lab: only QUIT here');
      }, slowGreetingMs);
      socket.on('close', () => clearTimeout(timer));
      return;
    }
    case 'endless-line':
      // "220 " and then one line that never ends, as long as the client keeps reading.
      pumpEndlessly(socket, '220 ', 'x'.repeat(16 * 1024));
      return;
    default: {
      const unknown: never = behaviour;
      throw new Error(`unknown behaviour ${String(unknown)}`);
    }
  }
}

/**
 * The bench's light greeter: `220` at once, EHLO a `250` without STARTTLS, QUIT a `221` and the
 * close, anything else a `502`; `onFirstLine` when the client first speaks (it has its answer).
 */
export function greetLightly(
  socket: net.Socket,
  name: string,
  idleMs: number,
  onFirstLine: () => void,
): void {
  socket.on('error', () => undefined);
  socket.setTimeout(idleMs, () => socket.destroy());
  socket.write(`220 ${name} ESMTP mxprobe bench\r\n`);
  let spoke = false;
  socket.on('data', () => {
    if (spoke) return;
    spoke = true;
    onFirstLine();
  });
  onLines(socket, (line) => {
    if (socket.writableEnded) return;
    const command = line.trim().split(' ')[0]?.toUpperCase() ?? '';
    if (command === 'QUIT') socket.end('221 2.0.0 bye\r\n');
    else socket.write(command === 'EHLO' ? `250 ${name}\r\n` : '502 5.5.1 bench: not here\r\n');
  });
}
