// Reads one SMTP reply at a time from a socket, within a deadline, buffering at most what the
// reply parser allows: the client side of nodemailer's "queue of expected replies", reduced
// to what a probe needs.

import type net from 'node:net';
import { performance } from 'node:perf_hooks';
import { abortError } from '../util/abort.js';
import { ReplyScanner, type SmtpReply } from './reply-parser.js';

export type ReplyEvent =
  | { kind: 'reply'; reply: SmtpReply; code?: undefined }
  | { kind: 'not-smtp'; code?: undefined }
  | { kind: 'closed'; code: string | undefined }
  | { kind: 'timeout'; code?: undefined };

export class ReplyReader {
  private readonly scanner = new ReplyScanner();
  private ended: { code: string | undefined } | undefined;
  private wake: (() => void) | undefined;
  private readonly onData = (chunk: Buffer): void => {
    this.scanner.push(chunk.toString('latin1'));
    this.wake?.();
  };
  private readonly onEnd = (): void => {
    this.ended ??= { code: undefined };
    this.wake?.();
  };
  private readonly onError = (error: NodeJS.ErrnoException): void => {
    this.ended ??= { code: error.code };
    this.wake?.();
  };

  constructor(readonly socket: net.Socket) {
    socket.on('data', this.onData);
    socket.on('end', this.onEnd);
    socket.on('close', this.onEnd);
    socket.on('error', this.onError);
  }

  /** Whether the peer sent anything, or closed: the handshake has certainly completed. */
  get heardAnything(): boolean {
    return this.scanner.received > 0 || this.ended !== undefined;
  }

  /**
   * Stops listening to the socket. A read still waiting ends at once as `closed`: its timer must
   * not outlive the connection (it would hold the process until the greeting timeout).
   */
  detach(): void {
    this.socket.off('data', this.onData);
    this.socket.off('end', this.onEnd);
    this.socket.off('close', this.onEnd);
    this.socket.off('error', this.onError);
    this.ended ??= { code: undefined };
    this.wake?.();
  }

  async next(timeoutMs: number, signal: AbortSignal | undefined): Promise<ReplyEvent> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const state = this.scanner.next();
      if (state.kind === 'reply') return { kind: 'reply', reply: state.reply };
      if (state.kind === 'not-smtp') return { kind: 'not-smtp' };
      if (this.ended) return { kind: 'closed', code: this.ended.code };
      if (signal?.aborted) throw abortError(signal);
      const left = deadline - performance.now();
      if (left <= 0) return { kind: 'timeout' };
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', done);
          this.wake = undefined;
          resolve();
        };
        const timer = setTimeout(done, left);
        signal?.addEventListener('abort', done, { once: true });
        this.wake = done;
      });
    }
  }

  /**
   * Sends one command. Whatever the server sent since its last reply was not asked for (banner
   * text pipelined after a greeting): it is dropped, so it cannot pass for the answer.
   */
  send(line: string): void {
    this.scanner.discard();
    if (!this.socket.destroyed && this.socket.writable) this.socket.write(`${line}\r\n`);
  }
}
