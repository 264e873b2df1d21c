// A tiny authoritative DNS server on loopback UDP, for the loopback tests and the footprint
// bench: it answers MX, A, AAAA, PTR and TXT from a zone the caller can change between queries
// (a host leaving a domain's MX set). Every name it serves is under a reserved test TLD or a
// documentation range's reverse zone; anything it does not know gets NXDOMAIN. It records every
// question, so a test can prove what was never asked.
import { createSocket } from 'node:dgram';

export interface Zone {
  /** name → MX exchanges (preference in list order). */
  mx: Record<string, string[]>;
  /** name → IPv4 addresses. */
  a: Record<string, string[]>;
  /** reverse name (…in-addr.arpa) → PTR names. */
  ptr?: Record<string, string[]>;
  /** name → TXT strings (one record each). */
  txt?: Record<string, string[]>;
}

export interface DnsServer {
  /** "127.0.0.1:PORT", as --dns-server and the config's dnsServers take it. */
  address: string;
  zone: Zone;
  /** Every question asked, as "TYPE name" (TYPE: A, AAAA, MX, PTR, TXT or the number). */
  questions: string[];
  close(): Promise<void>;
}

const TYPE_A = 1;
const TYPE_PTR = 12;
const TYPE_MX = 15;
const TYPE_TXT = 16;
const TYPE_AAAA = 28;
const TYPE_NAMES: Record<number, string> = { 1: 'A', 12: 'PTR', 15: 'MX', 16: 'TXT', 28: 'AAAA' };

export interface DnsServerOptions {
  /**
   * Never answer the first query for each question, nor its retries (the same query id), as if
   * every packet of one resolver channel were lost: a hedged twin (another id) gets the answer.
   */
  ignoreFirstAsker?: boolean;
}

export async function startDnsServer(
  zone: Zone,
  options: DnsServerOptions = {},
): Promise<DnsServer> {
  const socket = createSocket('udp4');
  const ignoredIds = new Map<string, number>();
  const server: DnsServer = {
    address: '',
    zone,
    questions: [],
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
  socket.on('message', (query, peer) => {
    if (options.ignoreFirstAsker && query.length >= 12) {
      const question = query.subarray(12).toString('latin1');
      const id = query.readUInt16BE(0);
      if (!ignoredIds.has(question)) ignoredIds.set(question, id);
      if (ignoredIds.get(question) === id) return;
    }
    const answer = respond(query, server.zone, server.questions);
    if (answer) socket.send(answer, peer.port, peer.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  server.address = `127.0.0.1:${socket.address().port}`;
  return server;
}

function respond(query: Buffer, zone: Zone, questions: string[]): Buffer | undefined {
  if (query.length < 17) return undefined;
  let offset = 12;
  const labels: string[] = [];
  while (offset < query.length && query[offset] !== 0) {
    const length = query[offset]!;
    labels.push(query.subarray(offset + 1, offset + 1 + length).toString('ascii'));
    offset += 1 + length;
  }
  const questionEnd = offset + 5;
  const type = query.readUInt16BE(offset + 1);
  const name = labels.join('.').toLowerCase();
  questions.push(`${TYPE_NAMES[type] ?? type} ${name}`);
  const known = [zone.mx, zone.a, zone.ptr ?? {}, zone.txt ?? {}].some((table) => name in table);
  const records: Buffer[] = [];
  if (type === TYPE_MX) {
    (zone.mx[name] ?? []).forEach((exchange, index) => {
      records.push(record(TYPE_MX, Buffer.concat([u16(10 * (index + 1)), encodeName(exchange)])));
    });
  } else if (type === TYPE_A) {
    for (const address of zone.a[name] ?? [])
      records.push(record(TYPE_A, Buffer.from(address.split('.').map(Number))));
  } else if (type === TYPE_PTR) {
    for (const target of zone.ptr?.[name] ?? []) records.push(record(TYPE_PTR, encodeName(target)));
  } else if (type === TYPE_TXT) {
    for (const text of zone.txt?.[name] ?? []) {
      const bytes = Buffer.from(text, 'utf8').subarray(0, 255);
      records.push(record(TYPE_TXT, Buffer.concat([Buffer.from([bytes.length]), bytes])));
    }
  } else if (type !== TYPE_AAAA) {
    return undefined;
  }
  const header = Buffer.alloc(12);
  query.copy(header, 0, 0, 2);
  header.writeUInt16BE(0x8400 | (query.readUInt16BE(2) & 0x0100) | (known ? 0 : 3), 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(records.length, 6);
  return Buffer.concat([header, query.subarray(12, questionEnd), ...records]);
}

/** An answer for the question's name (compression pointer to offset 12), TTL 0. */
function record(type: number, data: Buffer): Buffer {
  return Buffer.concat([u16(0xc00c), u16(type), u16(1), Buffer.alloc(4), u16(data.length), data]);
}

function encodeName(name: string): Buffer {
  const parts = name
    .split('.')
    .filter(Boolean)
    .map((label) => Buffer.concat([Buffer.from([label.length]), Buffer.from(label, 'ascii')]));
  return Buffer.concat([...parts, Buffer.from([0])]);
}

function u16(value: number): Buffer {
  const buffer = Buffer.alloc(2);
  buffer.writeUInt16BE(value);
  return buffer;
}
