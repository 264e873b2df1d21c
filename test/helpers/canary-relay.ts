// An authenticated relay on loopback that delivers into the test Dovecot, as a real relay and
// receiving MX together would: the recipient's route says whether a message lands in the inbox,
// is filed into Junk by the receiving side, or is accepted and dropped; a refused sender gets a
// 550. The receiving side stamps its Authentication-Results on top, as a mailbox provider does.

import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import type { Dovecot, MailFolder } from './dovecot.js';

export interface CanaryRoute {
  /** Where the receiving side files it; 'drop': accepted, then lost. */
  to: MailFolder | 'drop';
  /** How long after the relay's acceptance it arrives. */
  delayMs?: number;
  /** The Authentication-Results the receiver adds (without the field name). */
  authResults?: string;
}

export interface CanaryRelayOptions {
  dovecot: Dovecot;
  username: string;
  password: string;
  /** By recipient address; a recipient not listed is refused. */
  routes: Record<string, CanaryRoute>;
  /** Senders the relay refuses with 550 (the account may not send as them). */
  refusedSenders: readonly string[];
}

export interface CanaryRelay {
  port: number;
  /** Messages accepted (250 after DATA), by recipient. */
  accepted: string[];
  close(): Promise<void>;
}

export const REFUSAL = '550 5.7.1 Sender address rejected: not owned by the authenticated user';

export async function startCanaryRelay(options: CanaryRelayOptions): Promise<CanaryRelay> {
  const accepted: string[] = [];
  const server = new SMTPServer({
    logger: false,
    disableReverseLookup: true,
    secure: false,
    hideSTARTTLS: true,
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    onAuth(auth, _session, callback) {
      if (auth.username === options.username && auth.password === options.password)
        callback(null, { user: auth.username });
      else callback(Object.assign(new Error('5.7.8 Authentication failed'), { responseCode: 535 }));
    },
    onMailFrom(address, _session, callback) {
      if (options.refusedSenders.includes(address.address))
        callback(Object.assign(new Error(REFUSAL.slice(4)), { responseCode: 550 }));
      else callback();
    },
    onRcptTo(address, _session, callback) {
      if (address.address in options.routes) callback();
      else callback(Object.assign(new Error('5.1.1 No such user'), { responseCode: 550 }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        for (const rcpt of session.envelope.rcptTo) {
          accepted.push(rcpt.address);
          const route = options.routes[rcpt.address];
          if (route === undefined || route.to === 'drop') continue;
          const folder = route.to;
          const stamped = `${route.authResults === undefined ? '' : `Authentication-Results: ${route.authResults}\r\n`}${raw}`;
          setTimeout(
            () => options.dovecot.deliver(rcpt.address, folder, stamped),
            route.delayMs ?? 0,
          );
        }
        callback(null, 'Ok: queued as CANARY1');
      });
    },
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.server.address() as AddressInfo).port,
    accepted,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
