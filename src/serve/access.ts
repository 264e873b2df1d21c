// Who may see what, under the web config in force: with `basic_auth_users`, every endpoint
// wants a known user (401 otherwise); the response headers of `http_server_config.headers`;
// and whether the client is authenticated (a verified user, or a client certificate verified
// against `client_ca_file`), which is what lets `/status` show the account and machine ids.

import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { ClientAuthType, WebConfig } from '../config/types.js';
import { BasicAuth } from './basic-auth.js';
import { certificateAuthenticates } from './tls-listener.js';

export type AccessVerdict =
  | { allowed: false }
  /** `user` when basic auth named one; `authenticated` when the client proved who it is. */
  | { allowed: true; authenticated: boolean; user: string | undefined };

export class Access {
  readonly headers: Readonly<Record<string, string>>;
  private readonly basicAuth: BasicAuth | undefined;
  /** The client-certificate policy (tls_server_config.client_auth_type). */
  readonly clientAuth: ClientAuthType;

  constructor(web: WebConfig | undefined) {
    this.headers = web?.headers ?? {};
    this.basicAuth =
      web !== undefined && web.basicAuthUsers.size > 0
        ? new BasicAuth(web.basicAuthUsers)
        : undefined;
    this.clientAuth = web?.tls?.clientAuth ?? 'NoClientCert';
  }

  async check(request: IncomingMessage): Promise<AccessVerdict> {
    const socket = request.socket as Partial<TLSSocket>;
    const byCertificate =
      typeof socket.getPeerCertificate === 'function' &&
      certificateAuthenticates(this.clientAuth, socket as TLSSocket);
    if (this.basicAuth === undefined)
      return { allowed: true, authenticated: byCertificate, user: undefined };
    const user = await this.basicAuth.verify(request.headers.authorization);
    if (user === undefined) return { allowed: false };
    return { allowed: true, authenticated: true, user };
  }
}
