// A loopback port on which nothing listens (bound, then released): for a server or a daemon that
// needs a port number before it starts (mxprobe refuses port 0). The lab, the bench and the tests
// all take it from here.
import { createServer, type AddressInfo } from 'node:net';

export async function freePort(host = '127.0.0.1'): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
