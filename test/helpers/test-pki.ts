// A throwaway PKI for the TLS listener tests (lab/certificates.ts) in a temporary directory: a
// CA, a server certificate for 127.0.0.1 and localhost signed by it, a client certificate signed
// by it, and a client certificate of another CA that the server must refuse.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { days, issue, selfSigned, type KeyPair } from '../../lab/certificates.js';

export type { KeyPair };

export interface TestPki {
  dir: string;
  ca: KeyPair;
  server: KeyPair;
  client: KeyPair;
  /** A client certificate signed by a CA the server does not know. */
  stranger: KeyPair;
  /** A second server certificate of the same CA (for a certificate change on reload). */
  renewed: KeyPair;
  cleanup(): void;
}

export function makeTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'mxprobe-pki-'));
  const ca = selfSigned(dir, 'ca', { cn: 'mxprobe test CA' }, 2);
  const otherCa = selfSigned(dir, 'other-ca', { cn: 'some other CA' }, 2);
  const server = { names: ['127.0.0.1', 'localhost'], usage: 'server', validity: days(2) } as const;
  const client = { usage: 'client', validity: days(2) } as const;
  return {
    dir,
    ca,
    server: issue(dir, ca, 'server', { cn: 'localhost', ...server }),
    renewed: issue(dir, ca, 'renewed', { cn: 'localhost renewed', ...server }),
    client: issue(dir, ca, 'client', { cn: 'prometheus', ...client }),
    stranger: issue(dir, otherCa, 'stranger', { cn: 'stranger', ...client }),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
