// A DNS double for unit tests: answers from a table, fails with c-ares codes (a string entry),
// or never answers ('hang', until cancel()); a name missing from the table is NXDOMAIN. Every
// question is recorded, so a test can assert what was (and was not) asked.
import type { DnsClient, MxRecord } from '../../src/dns/client.js';

export interface FakeZone {
  mx?: Record<string, MxRecord[] | string>;
  a?: Record<string, string[] | string>;
  aaaa?: Record<string, string[] | string>;
  ptr?: Record<string, string[] | string>;
  txt?: Record<string, string[] | string>;
}

export type FakeDns = DnsClient & { cancelled: boolean; questions: string[] };

/** A DNS server that never answers: every question hangs until cancel(). */
export const SILENT = Symbol('silent');

export function fakeDns(zone: FakeZone | typeof SILENT, questions: string[] = []): FakeDns {
  const pending: ((e: Error) => void)[] = [];
  const answer =
    <T>(type: string, table: Record<string, T | string> | undefined) =>
    (name: string): Promise<T> => {
      questions.push(`${type} ${name}`);
      const entry = zone === SILENT ? 'hang' : table?.[name];
      if (entry === 'hang') {
        return new Promise<T>((_resolve, reject) => pending.push(reject));
      }
      if (typeof entry === 'string' || entry === undefined) {
        const code = typeof entry === 'string' ? entry : 'ENOTFOUND';
        return Promise.reject(Object.assign(new Error(code), { code }));
      }
      return Promise.resolve(entry);
    };
  const client: FakeDns = {
    cancelled: false,
    questions,
    mx: answer('MX', zone === SILENT ? undefined : zone.mx),
    a: answer('A', zone === SILENT ? undefined : zone.a),
    aaaa: answer('AAAA', zone === SILENT ? undefined : zone.aaaa),
    ptr: answer('PTR', zone === SILENT ? undefined : zone.ptr),
    txt: answer('TXT', zone === SILENT ? undefined : zone.txt),
    cancel: () => {
      client.cancelled = true;
      for (const reject of pending.splice(0))
        reject(Object.assign(new Error('cancelled'), { code: 'ECANCELLED' }));
    },
  };
  return client;
}
