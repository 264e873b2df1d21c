// Reads the canary's mailbox over IMAP with imapflow: the I/O side. It finds the junk folder by
// its SPECIAL-USE flag (RFC 6154), looks for this canary's messages by their header in the inbox
// and there, waits for news with IDLE where the server offers it, and deletes by UID.
// It never writes to a message that is not this canary's: a message is deleted only after its
// own header was read back and names this canary.

import { isIP } from 'node:net';
import type { ImapFlow, ImapFlowOptions } from 'imapflow';
import type { FoundMessage } from './decide.js';
import { CANARY_HEADER, canaryMarker, tokenOf } from './token.js';
import type { CanaryImapSpec } from './types.js';

export interface MailboxOptions {
  connectTimeoutMs: number;
  greetingTimeoutMs: number;
  ca?: string | Buffer;
  now: () => number;
}

/** A canary message found in the mailbox, with its token. */
export interface CanaryMessage extends FoundMessage {
  token: string;
}

export interface MailboxSession {
  /** The folder flagged \Junk; undefined when the server flags none. */
  readonly junkFolder: string | undefined;
  /** Every message of canary `name`, in the junk folder and the inbox. */
  findCanaryMessages(name: string): Promise<CanaryMessage[]>;
  /** Resolves when the inbox has news (IDLE, or the library's NOOP polling) or after `ms`. */
  waitForNews(ms: number, signal?: AbortSignal): Promise<void>;
  /** Deletes this one message by its UID (UID EXPUNGE: no other message is expunged). */
  remove(message: CanaryMessage): Promise<void>;
  close(): Promise<void>;
}

const INBOX = 'INBOX';

/** Connects and logs in; rejects (with imapflow's error) when the mailbox cannot be read. */
export async function openMailbox(
  imap: CanaryImapSpec,
  password: string,
  options: MailboxOptions,
): Promise<MailboxSession> {
  // Loaded at the first canary: imapflow and its character sets are the bundle's largest part,
  // and a daemon without canaries never needs them.
  const { ImapFlow } = await import('imapflow');
  const client = new ImapFlow(imapOptions(imap, password, options));
  // A dropped connection is reported by the next command; the event must not crash the process.
  client.on('error', () => undefined);
  await client.connect();
  try {
    const folders = await client.list();
    const junk =
      folders.find((f) => f.specialUse === '\\Junk' && f.specialUseSource === 'extension') ??
      folders.find((f) => f.specialUse === '\\Junk');
    return new ImapMailbox(client, junk?.path, options.now);
  } catch (error) {
    await client.logout().catch(() => undefined);
    throw error;
  }
}

function imapOptions(
  imap: CanaryImapSpec,
  password: string,
  options: MailboxOptions,
): ImapFlowOptions {
  return {
    host: imap.host,
    port: imap.port,
    secure: imap.secure === 'tls',
    // starttls: the upgrade is mandatory; none: stay in plain text, as the user chose.
    ...(imap.secure === 'tls' ? {} : { doSTARTTLS: imap.secure === 'starttls' }),
    auth: { user: imap.username, pass: password },
    tls: {
      rejectUnauthorized: true,
      ...(isIP(imap.host) === 0 ? { servername: imap.host } : {}),
      ...(options.ca !== undefined ? { ca: options.ca } : {}),
    },
    connectionTimeout: options.connectTimeoutMs,
    greetingTimeout: options.greetingTimeoutMs,
    // IDLE starts soon after each round of searches, so a new message in the inbox is seen at
    // once; without IDLE the library polls with NOOP at maxIdleTime.
    autoIdleDelay: 200,
    maxIdleTime: 5_000,
    logger: false,
    clientInfo: { name: 'mxprobe' },
  };
}

class ImapMailbox implements MailboxSession {
  constructor(
    private readonly client: ImapFlow,
    readonly junkFolder: string | undefined,
    private readonly now: () => number,
  ) {}

  async findCanaryMessages(name: string): Promise<CanaryMessage[]> {
    const found: CanaryMessage[] = [];
    // The inbox last, so it stays selected and IDLE watches it while the run waits.
    const folders = this.junkFolder === undefined ? [INBOX] : [this.junkFolder, INBOX];
    for (const folder of folders) found.push(...(await this.search(folder, name)));
    return found;
  }

  private async search(folder: string, name: string): Promise<CanaryMessage[]> {
    const lock = await this.client.getMailboxLock(folder);
    try {
      const uids = await this.client.search(
        { header: { [CANARY_HEADER]: canaryMarker(name) } },
        { uid: true },
      );
      if (uids === false || uids === undefined || uids.length === 0) return [];
      const messages = await this.client.fetchAll(
        uids.join(','),
        { uid: true, internalDate: true, headers: [CANARY_HEADER, 'authentication-results'] },
        { uid: true },
      );
      const seenAtMs = this.now();
      return messages.flatMap((message): CanaryMessage[] => {
        const rawHeaders = message.headers?.toString('utf8') ?? '';
        const token = tokenOf(headerValue(rawHeaders, CANARY_HEADER) ?? '', name);
        if (token === undefined) return [];
        const date = message.internalDate;
        const arrivedAtMs = date === undefined ? null : new Date(date).getTime();
        const junk = folder === this.junkFolder;
        return [{ folder, junk, uid: message.uid, arrivedAtMs, seenAtMs, rawHeaders, token }];
      });
    } finally {
      lock.release();
    }
  }

  async waitForNews(ms: number, signal?: AbortSignal): Promise<void> {
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.client.off('exists', done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.client.on('exists', done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  async remove(message: CanaryMessage): Promise<void> {
    const lock = await this.client.getMailboxLock(message.folder);
    try {
      if (this.client.capabilities.has('UIDPLUS')) {
        await this.client.messageDelete(String(message.uid), { uid: true });
      } else {
        // Without UIDPLUS an EXPUNGE would also remove other messages marked \Deleted: the
        // canary is only marked, and the mailbox's own expunge removes it.
        await this.client.messageFlagsAdd(String(message.uid), ['\\Deleted'], { uid: true });
      }
    } finally {
      lock.release();
    }
  }

  async close(): Promise<void> {
    await this.client.logout().catch(() => this.client.close());
  }
}

/** The value of one header field in a raw header block (unfolded), or undefined. Pure. */
export function headerValue(rawHeaders: string, field: string): string | undefined {
  const unfolded = rawHeaders.replace(/\r?\n(?=[ \t])/g, '');
  const prefix = `${field.toLowerCase()}:`;
  const line = unfolded.split(/\r?\n/).find((l) => l.toLowerCase().startsWith(prefix));
  return line?.slice(prefix.length).trim();
}
