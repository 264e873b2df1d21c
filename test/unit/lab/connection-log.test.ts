import { describe, expect, it } from 'vitest';
import { lateConnections, type ConnectionEvent } from '../../../lab/connection-log.js';

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

  it('takes no decision from a connection of an earlier run (its QUIT delivered after it exited)', () => {
    // Seen in the lab under 20% loss: the previous process had exited, and its last QUIT
    // reached the server after the next run had begun.
    expect(
      lateConnections([
        at(0, 'c:1', 'decided'),
        at(1_124, 'c:2', 'accept'),
        at(2_230, 'c:3', 'accept'),
        at(2_333, 'c:3', 'decided'),
      ]),
    ).toEqual([]);
  });

  it('says nothing about listeners where no client decided (silent servers, drops)', () => {
    expect(lateConnections([at(0, 'c:1', 'accept'), at(1_000, 'c:2', 'accept')])).toEqual([]);
  });
});
