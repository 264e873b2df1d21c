// A private Dovecot IMAP server on loopback for the canary tests (needs root: Dovecot starts as
// root and drops to its own users). Everything lives in one temporary directory: config, base
// directory, passwd-file and the Maildirs, which tests write into directly, as a local delivery
// agent would (tmp/, then a rename into new/).

import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './relay-fixtures.js';

export interface MailUser {
  user: string;
  password: string;
}

export type MailFolder = 'INBOX' | 'Junk';

/** One message file as it sits in a Maildir. */
export interface StoredMessage {
  folder: MailFolder;
  /** The Maildir unique name, without flags (it stays when Dovecot moves new/ to cur/). */
  id: string;
  /** The Maildir flags: "S" seen, "T" deleted, "" none. */
  flags: string;
  raw: string;
}

export interface Dovecot {
  port: number;
  /** Delivers a message into a user's folder, as a local delivery agent does; returns its id. */
  deliver(user: string, folder: MailFolder, raw: string, flags?: string): string;
  /** Every message in a user's inbox and junk folder. */
  messages(user: string): StoredMessage[];
  stop(): Promise<void>;
}

let sequence = 0;

export async function startDovecot(users: readonly MailUser[]): Promise<Dovecot> {
  const dir = mkdtempSync(join(tmpdir(), 'mxprobe-dovecot-'));
  // Dovecot's mail processes run as the dovecot user: they must reach the Maildirs.
  chmodSync(dir, 0o755);
  const uid = Number(execFileSync('id', ['-u', 'dovecot'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'dovecot'], { encoding: 'utf8' }).trim());
  const port = await freePort();
  for (const sub of ['run', 'state', 'mail']) mkdirSync(join(dir, sub));
  chownSync(join(dir, 'mail'), uid, gid);
  writeFileSync(join(dir, 'users'), users.map((u) => `${u.user}:{PLAIN}${u.password}\n`).join(''));
  writeFileSync(join(dir, 'dovecot.conf'), dovecotConfig(dir, port));
  const maildir = (user: string, folder: MailFolder): string =>
    join(dir, 'mail', user, ...(folder === 'Junk' ? ['.Junk'] : []));
  for (const { user } of users) {
    for (const folder of ['INBOX', 'Junk'] as const)
      for (const sub of ['cur', 'new', 'tmp'])
        mkdirSync(join(maildir(user, folder), sub), { recursive: true });
    execFileSync('chown', ['-R', `${uid}:${gid}`, join(dir, 'mail', user)]);
  }
  // Dovecot daemonizes and its child keeps inherited pipes open: no pipes, or this never returns.
  execFileSync('dovecot', ['-c', join(dir, 'dovecot.conf')], { stdio: 'ignore' });
  await waitForPort(port);

  return {
    port,
    deliver(user, folder, raw, flags) {
      sequence += 1;
      const name = `${Date.now()}.M${sequence}P${process.pid}.mxprobe-test`;
      const tmp = join(maildir(user, folder), 'tmp', name);
      writeFileSync(tmp, raw.replace(/\r?\n/g, '\n'));
      chownSync(tmp, uid, gid);
      const file = flags === undefined ? name : `${name}:2,${flags}`;
      renameSync(tmp, join(maildir(user, folder), flags === undefined ? 'new' : 'cur', file));
      return name;
    },
    messages(user) {
      return (['INBOX', 'Junk'] as const).flatMap((folder) =>
        ['new', 'cur'].flatMap((sub) => {
          const at = join(maildir(user, folder), sub);
          return readdirSync(at).map((file) => {
            const [id = file, flags = ''] = file.split(':2,');
            return { folder, id, flags, raw: readFileSync(join(at, file), 'utf8') };
          });
        }),
      );
    },
    async stop() {
      const pid = Number(readFileSync(join(dir, 'run', 'master.pid'), 'utf8').trim());
      spawnSync('kill', [String(pid)]);
      for (let i = 0; i < 100 && isAlive(pid); i += 1) await new Promise((r) => setTimeout(r, 50));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function dovecotConfig(dir: string, port: number): string {
  return `base_dir = ${dir}/run
state_dir = ${dir}/state
instance_name = mxprobe-test-${port}
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
log_path = ${dir}/dovecot.log
first_valid_uid = 1
mail_uid = dovecot
mail_gid = dovecot
mail_location = maildir:${dir}/mail/%u
passdb {
  driver = passwd-file
  args = scheme=PLAIN ${dir}/users
}
userdb {
  driver = static
  args = uid=dovecot gid=dovecot home=${dir}/mail/%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
  chroot =
}
service anvil {
  chroot =
}
namespace inbox {
  inbox = yes
  separator = /
  mailbox Junk {
    special_use = \\Junk
    auto = create
  }
}
`;
}

async function waitForPort(port: number): Promise<void> {
  for (let i = 0; i < 100; i += 1) {
    const up = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (up) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`dovecot did not listen on 127.0.0.1:${port}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
