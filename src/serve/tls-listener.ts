// The web config's `tls_server_config` as Node's TLS server options, and the client-certificate
// policies of exporter-toolkit (Go's tls.ClientAuthType) that Node does not enforce by itself:
// Node either rejects every unverified client (RequireAndVerifyClientCert) or none, so
// RequireAnyClientCert and VerifyClientCertIfGiven are checked once the handshake is done.

import type { Server as HttpsServer } from 'node:https';
import type { PeerCertificate, SecureVersion, TlsOptions } from 'node:tls';
import type { ClientAuthType, TlsVersionName, WebTls } from '../config/types.js';

const NODE_TLS_VERSION: Record<TlsVersionName, SecureVersion> = {
  TLS10: 'TLSv1',
  TLS11: 'TLSv1.1',
  TLS12: 'TLSv1.2',
  TLS13: 'TLSv1.3',
};

/** What a TLS socket tells about its client's certificate. */
export interface PeerFacts {
  authorized: boolean;
  getPeerCertificate(): PeerCertificate | Record<string, never>;
}

/** Node's options for a TLS listener with this config. Pure. */
export function tlsServerOptions(tls: WebTls): TlsOptions {
  const requestCert = tls.clientAuth !== 'NoClientCert';
  return {
    cert: tls.cert,
    key: tls.key,
    ...(tls.clientCa === undefined ? {} : { ca: tls.clientCa }),
    minVersion: NODE_TLS_VERSION[tls.minVersion],
    maxVersion: NODE_TLS_VERSION[tls.maxVersion],
    requestCert,
    rejectUnauthorized: tls.clientAuth === 'RequireAndVerifyClientCert',
  };
}

/** Why a finished handshake breaks the policy, or undefined when it keeps it. */
export function clientCertificateRefusal(
  policy: ClientAuthType,
  socket: PeerFacts,
): string | undefined {
  const given = Object.keys(socket.getPeerCertificate()).length > 0;
  switch (policy) {
    case 'NoClientCert':
    case 'RequestClientCert':
      return undefined;
    case 'RequireAnyClientCert':
      return given ? undefined : 'no client certificate';
    case 'VerifyClientCertIfGiven':
    case 'RequireAndVerifyClientCert':
      if (!given) return policy === 'VerifyClientCertIfGiven' ? undefined : 'no client certificate';
      return socket.authorized
        ? undefined
        : 'the client certificate is not signed by client_ca_file';
  }
}

/**
 * Whether the client proved who it is with its certificate: only under a policy that verifies
 * against client_ca_file (the others would take any certificate a public CA ever signed).
 */
export function certificateAuthenticates(policy: ClientAuthType, socket: PeerFacts): boolean {
  const verifies = policy === 'VerifyClientCertIfGiven' || policy === 'RequireAndVerifyClientCert';
  return verifies && socket.authorized && Object.keys(socket.getPeerCertificate()).length > 0;
}

/** A reload: new certificate, key, CA, versions and policy for the connections to come. */
export function applyTls(server: HttpsServer, tls: WebTls): void {
  const options = tlsServerOptions(tls);
  server.setSecureContext(options);
  // Read by Node for every new connection (tls.Server's own fields, set from the options).
  Object.assign(server, {
    requestCert: options.requestCert,
    rejectUnauthorized: options.rejectUnauthorized,
  });
}
