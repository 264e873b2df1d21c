// The daemon's HTTP server as a hostile client meets it: connections that never send a request
// cannot pile up (a cap, the idlest pushed out, silence timed out), so a scraper always gets in
// and the prober keeps its file descriptors; a request path lands in a log line bounded and
// escaped. (The daemon under a real file-descriptor budget: fd-starvation.test.ts.)
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { Access } from '../../src/serve/access.js';
import { guardConnections, MAX_HTTP_CONNECTIONS } from '../../src/serve/connection-guard.js';
import { createHttpServer } from '../../src/serve/http-server.js';
import { printable } from '../../src/util/printable.js';

const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const done of cleanup.splice(0)) done();
});

async function listening(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanup.push(() => {
    server.closeAllConnections();
    server.close();
  });
  return (server.address() as AddressInfo).port;
}

/** Opens `n` TCP connections that send nothing, and resolves once all are connected. */
async function idleClients(port: number, n: number): Promise<Socket[]> {
  const sockets = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<Socket>((resolve) => {
          const socket = connect(port, '127.0.0.1', () => resolve(socket));
          socket.on('error', () => undefined);
        }),
    ),
  );
  cleanup.push(() => sockets.forEach((s) => s.destroy()));
  return sockets;
}

const connections = (server: Server): Promise<number> =>
  new Promise((resolve, reject) =>
    server.getConnections((error, count) => (error ? reject(error) : resolve(count))),
  );

describe('the HTTP connection guard', () => {
  it(`keeps at most ${MAX_HTTP_CONNECTIONS} connections, and a scrape still gets through 200 idle ones`, async () => {
    const server = createHttpServer({
      metrics: () =>
        Promise.resolve({
          contentType: 'text/plain',
          chunks: [Buffer.from('up 1\n')],
          gzipped: false,
        }),
      latestReport: () => undefined,
      unhealthyReason: () => undefined,
      reload: () => Promise.resolve({ ok: true }),
      lifecycleEnabled: () => true,
      access: () => new Access(undefined),
      version: '0.0.0',
      log: createLogger({ level: 'error', format: 'json', write: () => undefined }),
    });
    const port = await listening(server);
    const idle = await idleClients(port, 200);
    // The closes reach the clients as fast as a loaded machine delivers them: waited for.
    const closed = (): number => idle.filter((s) => s.destroyed || s.readableEnded).length;
    const deadline = Date.now() + 10_000;
    while (closed() < 200 - MAX_HTTP_CONNECTIONS && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect(closed()).toBeGreaterThanOrEqual(200 - MAX_HTTP_CONNECTIONS);
    expect(await connections(server)).toBeLessThanOrEqual(MAX_HTTP_CONNECTIONS);
    const response = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('up 1\n');
  });

  it('never pushes out a connection whose request is in progress', async () => {
    let release: () => void = () => undefined;
    const server = createServer((_request, response) => {
      release = () => response.end('late\n');
    });
    guardConnections(server, { maxConnections: 2 });
    const port = await listening(server);
    const slow = fetch(`http://127.0.0.1:${port}/`).then((r) => r.text());
    await new Promise((resolve) => setTimeout(resolve, 100));
    await idleClients(port, 5);
    await new Promise((resolve) => setTimeout(resolve, 100));
    release();
    expect(await slow).toBe('late\n');
  });

  it('closes a connection that stays silent for the idle timeout', async () => {
    const server = createServer((_request, response) => response.end());
    guardConnections(server, { idleTimeoutMs: 300 });
    const port = await listening(server);
    const [socket] = await idleClients(port, 1);
    const closedAfter = await new Promise<number>((resolve) => {
      const started = Date.now();
      socket!.on('close', () => resolve(Date.now() - started));
    });
    expect(closedAfter).toBeGreaterThanOrEqual(250);
    expect(closedAfter).toBeLessThan(2_000);
  });
});

describe('a request path in a log line', () => {
  it('is cut to 200 characters and escaped', async () => {
    const lines: string[] = [];
    const server = createHttpServer({
      metrics: () => Promise.reject(new Error('exposition failed')),
      latestReport: () => undefined,
      unhealthyReason: () => undefined,
      reload: () => Promise.resolve({ ok: true }),
      lifecycleEnabled: () => true,
      access: () => new Access(undefined),
      version: '0.0.0',
      log: createLogger({ level: 'error', format: 'json', write: (line) => lines.push(line) }),
    });
    const port = await listening(server);
    const response = await fetch(`http://127.0.0.1:${port}/metrics?${'x%1b'.repeat(2_000)}`);
    expect(response.status).toBe(500);
    const logged = JSON.parse(lines[0] ?? '{}') as { msg: string; path: string };
    expect(logged.msg).toBe('http request failed');
    expect(logged.path.length).toBeLessThanOrEqual(200);
    expect(logged.path.startsWith('/metrics?x%1bx%1b')).toBe(true);
  });

  it("a target that is not a URL is the client's mistake: 400, and no error line", async () => {
    const lines: Record<string, unknown>[] = [];
    const server = createHttpServer({
      metrics: () => Promise.reject(new Error('never asked')),
      latestReport: () => undefined,
      unhealthyReason: () => undefined,
      reload: () => Promise.resolve({ ok: true }),
      lifecycleEnabled: () => true,
      access: () => new Access(undefined),
      version: '0.0.0',
      log: createLogger({
        level: 'debug',
        format: 'json',
        write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>),
      }),
    });
    const port = await listening(server);
    const answer = await rawRequest(
      port,
      'GET http://[ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    );
    expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 400 Bad Request');
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.filter((l) => l.level !== 'debug')).toEqual([]);
    expect(lines[0]).toMatchObject({ msg: 'http request target unreadable', path: 'http://[' });
  });

  it('printable escapes what a lenient parser would let through', () => {
    expect(printable('/metrics\x1b[2J\r\nforged line\u202e', 200)).toBe(
      '/metrics\\x1b[2J\\x0d\\x0aforged line\\u202e',
    );
  });
});

/** Sends `request` as written (fetch cannot send an unparsable target) and reads to the close. */
function rawRequest(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    socket.once('error', reject);
    socket.once('close', () => resolve(answer));
    cleanup.push(() => socket.destroy());
  });
}
