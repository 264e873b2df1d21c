// A throwaway PKI for the TLS listener tests, made with the openssl CLI in a temporary
// directory: a CA, a server certificate for 127.0.0.1 and localhost signed by it, a client
// certificate signed by it, and a client certificate of another CA that the server must refuse.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface KeyPair {
  cert: string;
  key: string;
  certFile: string;
  keyFile: string;
}

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

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

export function makeTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'mxprobe-pki-'));
  const file = (name: string): string => join(dir, name);
  const run = (args: string[]): void => {
    execFileSync('openssl', args, { stdio: 'ignore' });
  };
  const pair = (name: string): KeyPair => ({
    cert: readFileSync(file(`${name}.crt`), 'utf8'),
    key: readFileSync(file(`${name}.key`), 'utf8'),
    certFile: file(`${name}.crt`),
    keyFile: file(`${name}.key`),
  });
  const selfSigned = (name: string, cn: string): KeyPair => {
    run([
      'req',
      '-x509',
      ...EC,
      '-days',
      '2',
      '-subj',
      `/CN=${cn}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
      '-keyout',
      file(`${name}.key`),
      '-out',
      file(`${name}.crt`),
    ]);
    return pair(name);
  };
  const signed = (name: string, cn: string, ca: string, extensions: string[]): KeyPair => {
    run(
      ['req', '-new', ...EC, '-subj', `/CN=${cn}`, '-keyout', file(`${name}.key`)].concat([
        '-out',
        file(`${name}.csr`),
      ]),
    );
    writeFileSync(file(`${name}.ext`), `${extensions.join('\n')}\n`);
    run([
      'x509',
      '-req',
      '-in',
      file(`${name}.csr`),
      '-CA',
      file(`${ca}.crt`),
      '-CAkey',
      file(`${ca}.key`),
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      file(`${name}.ext`),
      '-out',
      file(`${name}.crt`),
    ]);
    return pair(name);
  };
  const serverExt = ['subjectAltName=IP:127.0.0.1,DNS:localhost', 'extendedKeyUsage=serverAuth'];
  const clientExt = ['extendedKeyUsage=clientAuth'];
  const ca = selfSigned('ca', 'mxprobe test CA');
  selfSigned('other-ca', 'some other CA');
  return {
    dir,
    ca,
    server: signed('server', 'localhost', 'ca', serverExt),
    renewed: signed('renewed', 'localhost renewed', 'ca', serverExt),
    client: signed('client', 'prometheus', 'ca', clientExt),
    stranger: signed('stranger', 'stranger', 'other-ca', clientExt),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
