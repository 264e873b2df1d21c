// One canary run (CONTRACT §12): open the mailbox, clear what earlier runs left, send one
// message through the relay, wait for it in the inbox and the junk folder, delete it, and let
// decide.ts say what that means. The mailbox is opened before anything is sent: a message that
// could not be read back (and deleted) is never sent.

import { randomBytes } from 'node:crypto';
import { readRelaySecret, redact, secretProblem } from '../relay/secret.js';
import { readImapSecret } from '../util/secret.js';
import type { RelaySpec } from '../types.js';
import { printable } from '../util/printable.js';
import { decideCanary, type MailboxFacts, type SendFacts } from './decide.js';
import { openMailbox, type MailboxSession } from './mailbox.js';
import { sendCanary } from './send.js';
import { makeCanaryToken, type CanaryToken } from './token.js';
import type { CanaryImapSpec, CanaryReport, CanarySpec } from './types.js';

export interface CanaryRunOptions {
  connectTimeoutMs: number;
  greetingTimeoutMs: number;
  /** Between two searches of the junk folder; the inbox is watched with IDLE in between. */
  pollMs?: number;
  /** Trust anchors for both the relay and the IMAP server (a private CA, a test certificate). */
  ca?: string | Buffer;
  signal?: AbortSignal;
  /** Called while waiting, with the time since the relay accepted the message. */
  onProgress?: (waitedMs: number) => void;
  now?: () => number;
  readRelaySecret?: (relay: RelaySpec) => Promise<string | undefined>;
  readImapSecret?: (imap: CanaryImapSpec) => Promise<string>;
  openMailbox?: typeof openMailbox;
}

export const DEFAULT_POLL_MS = 5_000;

/** Runs one canary; every outcome is a report, never an exception. */
export async function runCanary(
  spec: CanarySpec,
  relay: RelaySpec,
  options: CanaryRunOptions,
): Promise<CanaryReport> {
  const now = options.now ?? Date.now;
  const startedAtMs = now();
  const secrets: (string | undefined)[] = [];
  // Server text and error messages: both passwords redacted, control characters escaped.
  const scrub = (text: string): string =>
    secrets.reduce<string>((out, secret) => redact(out, secret), printable(text));
  const failed = (problem: string): CanaryReport =>
    decideCanary(spec, { startedAtMs, send: undefined, mailbox: { read: false, problem } });

  let imapPassword: string;
  let relayPassword: string | undefined;
  try {
    imapPassword = await (options.readImapSecret ?? ((imap) => readImapSecret(imap)))(spec.imap);
    secrets.push(imapPassword);
    relayPassword = await (options.readRelaySecret ?? readRelaySecret)(relay);
    secrets.push(relayPassword);
  } catch (error) {
    return failed(scrub(secretProblem(error)));
  }

  let mailbox: MailboxSession;
  try {
    mailbox = await (options.openMailbox ?? openMailbox)(spec.imap, imapPassword, {
      ...options,
      now,
    });
  } catch (error) {
    return failed(scrub(imapProblem(error)));
  }
  try {
    return await sendAndWait(spec, relay, {
      ...options,
      now,
      mailbox,
      relayPassword,
      scrub,
      startedAtMs,
    });
  } finally {
    await mailbox.close();
  }
}

interface RunContext extends CanaryRunOptions {
  now: () => number;
  mailbox: MailboxSession;
  relayPassword: string | undefined;
  scrub: (text: string) => string;
  startedAtMs: number;
}

async function sendAndWait(
  spec: CanarySpec,
  relay: RelaySpec,
  context: RunContext,
): Promise<CanaryReport> {
  const { startedAtMs, scrub } = context;
  const token = makeCanaryToken(spec.name, startedAtMs, randomBytes(4).toString('hex'));
  let send: SendFacts | undefined;
  let mailbox: MailboxFacts;
  try {
    // What earlier runs gave up on (lost, then arrived late) goes first: one canary at a time.
    await removeOthers(context.mailbox, spec.name, undefined);
    send = await sendCanary(spec, relay, token, { ...context, password: context.relayPassword });
    send = { ...send, reply: scrub(send.reply) };
    mailbox = send.accepted
      ? await waitForToken(spec, token, send.acceptedAtMs, context)
      : { read: true, found: undefined };
  } catch (error) {
    mailbox = { read: false, problem: scrub(imapProblem(error)) };
  }
  return decideCanary(spec, { startedAtMs, send, mailbox });
}

/** Searches until the token's message is found (and deleted) or the timeout has passed. */
async function waitForToken(
  spec: CanarySpec,
  token: CanaryToken,
  acceptedAtMs: number,
  context: RunContext,
): Promise<MailboxFacts> {
  const deadline = acceptedAtMs + spec.timeoutMs;
  for (;;) {
    const mine = await removeOthers(context.mailbox, spec.name, token.token);
    if (mine !== undefined) {
      await context.mailbox.remove(mine);
      return { read: true, found: mine };
    }
    const left = deadline - context.now();
    if (left <= 0) return { read: true, found: undefined };
    if (context.signal?.aborted === true) return { read: false, problem: 'aborted' };
    context.onProgress?.(context.now() - acceptedAtMs);
    await context.mailbox.waitForNews(
      Math.min(context.pollMs ?? DEFAULT_POLL_MS, left),
      context.signal,
    );
  }
}

/** Deletes this canary's messages other than `token`'s; returns `token`'s when it is there. */
async function removeOthers(
  mailbox: MailboxSession,
  name: string,
  token: string | undefined,
): Promise<Awaited<ReturnType<MailboxSession['findCanaryMessages']>>[number] | undefined> {
  const messages = await mailbox.findCanaryMessages(name);
  for (const message of messages) if (message.token !== token) await mailbox.remove(message);
  return messages.find((message) => message.token === token);
}

/** imapflow's error in one line: the server's own words when it gave some. */
function imapProblem(error: unknown): string {
  const facts = error as {
    responseText?: unknown;
    code?: unknown;
    message?: unknown;
    authenticationFailed?: unknown;
  };
  const words =
    typeof facts.responseText === 'string' && facts.responseText !== ''
      ? facts.responseText
      : typeof facts.message === 'string'
        ? facts.message
        : String(error);
  const prefix = facts.authenticationFailed === true ? 'IMAP login failed' : 'IMAP';
  const code = typeof facts.code === 'string' ? ` (${facts.code})` : '';
  return `${prefix}: ${words.split(/\r?\n/, 1)[0] ?? ''}${code}`;
}
