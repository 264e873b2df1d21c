// Neither of a canary's passwords leaves mxprobe: an IMAP server that echoes the client's login
// (the LOGIN line, the AUTHENTICATE PLAIN token and its decoded text) in its NO, and a relay that
// echoes the AUTH PLAIN token in its 535, and the canary's report and Delivery words are searched
// for each password and its base64 forms at all three byte alignments.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CanaryMessage, MailboxSession } from '../../src/canary/mailbox.js';
import { runCanary } from '../../src/canary/run.js';
import type { CanaryReport, CanarySpec } from '../../src/canary/types.js';
import { deliveryLines } from '../../src/canary/words.js';
import type { RelaySpec } from '../../src/types.js';
import { authEchoRelay } from '../helpers/hostile-servers.js';
import { onLines, scriptedServer, type Loopback } from '../helpers/loopback-servers.js';

const IMAP_PASSWORD = 'Imap-S3cret!pw';
const RELAY_PASSWORD = 'Relay-S3cret!pw';
const IMAP_USERS = ['a', 'ab', 'abc', 'canary@example.test'];

/** Everything that would give a password away, computed here without mxprobe's code. */
function forbidden(password: string, users: readonly string[]): string[] {
  const out = [password, Buffer.from(password).toString('base64')];
  for (const offset of [0, 1, 2]) {
    const encoded = Buffer.concat([Buffer.alloc(offset), Buffer.from(password)]).toString('base64');
    const whole = 4 * Math.floor((offset + password.length) / 3);
    out.push(encoded.slice(offset === 0 ? 0 : offset + 1, whole));
  }
  for (const user of users) out.push(Buffer.from(`\0${user}\0${password}`).toString('base64'));
  return out;
}

function expectNoSecret(report: CanaryReport, password: string, users: readonly string[]): void {
  const text = `${JSON.stringify(report)}\n${deliveryLines([report]).join('\n')}`;
  for (const form of forbidden(password, users))
    expect(text.includes(form), `report contains ${JSON.stringify(form)}`).toBe(false);
}

/** An IMAP server that refuses every login and quotes it back: the line, the token, decoded. */
function imapEchoServer(capabilities: string): Promise<Loopback> {
  return scriptedServer((socket) => {
    socket.write(`* OK [CAPABILITY ${capabilities}] echo-imap ready\r\n`);
    let pending: string | undefined;
    onLines(socket, (line) => {
      const refuse = (tag: string, what: string): void => {
        const decoded = Buffer.from(what.split(' ').pop() ?? '', 'base64').toString('latin1');
        socket.write(
          `${tag} NO [AUTHENTICATIONFAILED] rejected ${what} (${decoded.replace(/\0/g, ' ')})\r\n`,
        );
      };
      if (pending !== undefined) {
        refuse(pending, line);
        pending = undefined;
        return;
      }
      const [tag = '*', command = '', ...rest] = line.split(' ');
      const verb = command.toUpperCase();
      if (verb === 'CAPABILITY') socket.write(`* CAPABILITY ${capabilities}\r\n${tag} OK done\r\n`);
      else if (verb === 'ID') socket.write(`* ID NIL\r\n${tag} OK done\r\n`);
      else if (verb === 'AUTHENTICATE' && rest.length > 1) refuse(tag, rest.join(' '));
      else if (verb === 'AUTHENTICATE') {
        pending = tag;
        socket.write('+ \r\n');
      } else if (verb === 'LOGIN') refuse(tag, line);
      else if (verb === 'LOGOUT') socket.write(`* BYE\r\n${tag} OK bye\r\n`);
      else socket.write(`${tag} BAD not here\r\n`);
    });
  });
}

function spec(imapPort: number, username: string): CanarySpec {
  return {
    name: 'ops-inbox',
    relay: 'echo',
    from: 'canary@example.test',
    to: 'canary@example.test',
    imap: { host: '127.0.0.1', port: imapPort, secure: 'none', username, passwordEnv: 'X' },
    timeoutMs: 5_000,
    intervalMs: 900_000,
  };
}

const OPTIONS = {
  connectTimeoutMs: 2_000,
  greetingTimeoutMs: 3_000,
  readImapSecret: () => Promise.resolve(IMAP_PASSWORD),
  readRelaySecret: () => Promise.resolve(RELAY_PASSWORD),
};

let relay: Loopback;
let relaySpec: RelaySpec;
beforeAll(async () => {
  relay = await authEchoRelay();
  relaySpec = {
    name: 'echo',
    host: '127.0.0.1',
    port: relay.port,
    secure: 'none',
    username: 'resource|appId|tenantId',
    passwordEnv: 'Y',
  };
});
afterAll(async () => {
  await relay.close();
});

describe('the canary passwords in its report', () => {
  it.each(['IMAP4rev1 AUTH=PLAIN SASL-IR', 'IMAP4rev1 AUTH=PLAIN', 'IMAP4rev1'])(
    'an IMAP server offering %s that echoes the login: imap-failed, its words kept, the password not',
    async (capabilities) => {
      const imap = await imapEchoServer(capabilities);
      try {
        for (const user of IMAP_USERS) {
          const report = await runCanary(spec(imap.port, user), relaySpec, OPTIONS);
          expect(report.status).toBe('imap-failed');
          expect(report.reply).toMatch(/rejected/);
          expect(report.reply).toContain('***');
          expectNoSecret(report, IMAP_PASSWORD, IMAP_USERS);
        }
        // The server did receive every login, so the echo had the password to give away.
        const seen = imap.received.flat().join('\n');
        for (const user of IMAP_USERS) {
          const token = Buffer.from(`\0${user}\0${IMAP_PASSWORD}`).toString('base64');
          expect(seen.includes(token) || seen.includes(`"${IMAP_PASSWORD}"`), user).toBe(true);
        }
      } finally {
        await imap.close();
      }
    },
  );

  it('a relay that echoes the AUTH PLAIN token: send-failed, its 535 quoted, the password not', async () => {
    const mailbox: MailboxSession = {
      junkFolder: 'Junk',
      findCanaryMessages: () => Promise.resolve<CanaryMessage[]>([]),
      waitForNews: () => Promise.resolve(),
      remove: () => Promise.resolve(),
      close: () => Promise.resolve(),
    };
    const report = await runCanary(spec(1, 'canary@example.test'), relaySpec, {
      ...OPTIONS,
      openMailbox: () => Promise.resolve(mailbox),
    });
    expect(report.status).toBe('send-failed');
    expect(report.reply).toMatch(/^535/);
    expect(report.reply).toContain('***');
    expect(relay.received.flat().some((l) => /^AUTH PLAIN/i.test(l))).toBe(true);
    expectNoSecret(report, RELAY_PASSWORD, ['resource|appId|tenantId']);
  });
});
