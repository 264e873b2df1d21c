// A readiness check run inside the VM namespace, independent of mxprobe: can the VM resolve a
// lab name through its system resolver, and does a lab MTA greet on 25 over IPv4 and IPv6?
// `up()` waits for it to pass before handing the lab over. Prints one JSON line; exit 0 = ready.

import { promises as dns } from 'node:dns';
import net from 'node:net';
import { pathToFileURL } from 'node:url';

const CHECK_HOST = 'mx1.alpha.example';
const STEP_TIMEOUT_MS = 2_000;

function greets(address: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: address, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`[${address}]:${port}: no greeting within ${STEP_TIMEOUT_MS} ms`));
    }, STEP_TIMEOUT_MS);
    socket.setEncoding('utf8');
    socket.once('data', (line: string) => {
      clearTimeout(timer);
      socket.end('QUIT\r\n');
      if (line.startsWith('220')) resolve(line.trim());
      else reject(new Error(`[${address}]:${port}: unexpected greeting ${JSON.stringify(line)}`));
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`[${address}]:${port}: ${error.message}`));
    });
  });
}

export async function selfCheck(): Promise<{ v4: string; v6: string; greetings: string[] }> {
  const [v4] = await dns.resolve4(CHECK_HOST);
  const [v6] = await dns.resolve6(CHECK_HOST);
  if (v4 === undefined || v6 === undefined)
    throw new Error(`${CHECK_HOST} has no A or AAAA record`);
  const greetings = await Promise.all([greets(v4, 25), greets(v6, 25)]);
  return { v4, v6, greetings };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  selfCheck().then(
    (result) => process.stdout.write(`${JSON.stringify({ ok: true, ...result })}\n`),
    (error: unknown) => {
      process.stdout.write(
        `${JSON.stringify({ ok: false, error: error instanceof Error ? error.message : String(error) })}\n`,
      );
      process.exitCode = 1;
    },
  );
}
