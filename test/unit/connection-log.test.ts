import { describe, expect, it } from 'vitest';
import { lateConnections, type ConnectionEvent } from '../../lab/connection-log.js';

const at = (t: number, client: string, event: ConnectionEvent['event'], listener = 'L:25') => ({
  t,
  listener,
  client,
  event,
});

describe('lateConnections: no connection after an attempt had its greeting', () => {
  it('accepts a backup that raced before the greeting was decided', () => {
    expect(
      lateConnections([
        at(0, 'c:1', 'accept'),
        at(1_000, 'c:2', 'accept'),
        at(1_050, 'c:1', 'decided'),
      ]),
    ).toEqual([]);
  });

  it('names a connection accepted after the client had spoken on another', () => {
    expect(
      lateConnections([
        at(0, 'c:1', 'accept'),
        at(10, 'c:1', 'decided'),
        at(900, 'c:2', 'accept'),
        at(5, 'c:9', 'accept', 'M:587'),
      ]),
    ).toEqual(['L:25: a connection from c:2 accepted 890 ms after c:1 had its greeting']);
  });

  it('says nothing about listeners where no client decided (silent servers, drops)', () => {
    expect(lateConnections([at(0, 'c:1', 'accept'), at(1_000, 'c:2', 'accept')])).toEqual([]);
  });
});
