// The listen address's host, resolved once when the daemon starts, as exporters do with
// `--web.listen-address localhost:9725`: an IP address is kept, a localhost name is the IPv4
// loopback without asking anyone (RFC 6761 §6.3), and any other name is asked of the system
// resolver, once; the daemon then listens on the address it got.

import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { ConfigError } from '../config/error.js';
import type { ListenAddress } from '../config/types.js';
import { isLocalhostName } from '../probe/resolve.js';
import { describeErrno } from '../util/errno.js';

export type LookupHost = (name: string) => Promise<{ address: string }>;

export async function resolveListenAddress(
  listen: ListenAddress,
  lookupHost: LookupHost = (name) => lookup(name),
): Promise<ListenAddress> {
  const host = listen.host;
  if (host === undefined || isIP(host) !== 0) return listen;
  if (isLocalhostName(host)) return { ...listen, host: '127.0.0.1' };
  try {
    const { address } = await lookupHost(host);
    return { ...listen, host: address };
  } catch (error) {
    throw new ConfigError(
      [`${listen.origin} ${listen.text}: cannot resolve ${host}: ${describeErrno(error)}`],
      { cause: error },
    );
  }
}
