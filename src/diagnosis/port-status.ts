// Attempts → which count, and each port's status (docs/reference.md, "Port statuses"). Pure.

import type { Attempt, Family, FamilyStatuses, PortReport, PortStatus } from '../types.js';

/**
 * A family is `no-route` when every one of its attempts, on every port, failed with
 * ENETUNREACH: the machine has no route for it (a VM without IPv6), which is not a block.
 * Attempts that failed for a local reason (`error`) are no evidence either way.
 */
export function familyStatuses(attempts: Attempt[]): FamilyStatuses {
  const statuses: FamilyStatuses = {};
  for (const family of [4, 6] as const) {
    const ofFamily = attempts.filter((a) => a.family === family);
    if (ofFamily.length === 0) continue;
    const made = ofFamily.filter((a) => a.result !== 'error');
    statuses[family] =
      made.length > 0 && made.every((a) => a.errorCode === 'ENETUNREACH') ? 'no-route' : 'ok';
  }
  return statuses;
}

/**
 * The attempts that count toward port statuses and the diagnosis: not those of a family without
 * a route, and not those that failed on this machine (`error`/`local`): neither says anything
 * about the path.
 */
export function countedAttempts(attempts: Attempt[], families: FamilyStatuses): Attempt[] {
  return attempts.filter(
    (a) => a.result !== 'error' && families[familyKey(a.family)] !== 'no-route',
  );
}

/**
 * Ports that had attempts, none of which counts, because at least one failed on this machine:
 * such a port has no verdict at all, and a diagnosis without it would be a wrong one.
 */
export function portsLostToLocalErrors(attempts: Attempt[], counted: Attempt[]): number[] {
  const ports = [...new Set(attempts.map((a) => a.port))];
  return ports.filter(
    (port) =>
      !counted.some((a) => a.port === port) &&
      attempts.some((a) => a.port === port && a.result === 'error'),
  );
}

/** What a pass's attempts come to: the families' routes, what counts, and each port's status. */
export interface Tally {
  families: FamilyStatuses;
  counted: Attempt[];
  ports: PortReport[];
  /** Ports left without a verdict by attempts that failed on this machine. */
  lostPorts: number[];
}

/** The attempts of a pass, counted once, for `ports` in the order they were asked for. */
export function tallyAttempts(attempts: Attempt[], ports: number[]): Tally {
  const families = familyStatuses(attempts);
  const counted = countedAttempts(attempts, families);
  return {
    families,
    counted,
    ports: portReports(ports, counted),
    lostPorts: portsLostToLocalErrors(attempts, counted),
  };
}

export function portStatus(attempts: Attempt[]): PortStatus {
  if (attempts.length === 0) return 'unknown';
  const reachable = attempts.filter((a) => a.result === 'reachable').length;
  if (reachable === attempts.length) return 'open';
  if (reachable > 0) return 'partial';
  return attempts.some((a) => a.result === 'blocked') ? 'blocked' : 'filtered';
}

/** One row per probed port, in the order the ports were asked for. */
export function portReports(ports: number[], counted: Attempt[]): PortReport[] {
  return ports.map((port) => {
    const on = counted.filter((a) => a.port === port);
    return {
      port,
      status: portStatus(on),
      reachable: on.filter((a) => a.result === 'reachable').length,
      blocked: on.filter((a) => a.result === 'blocked').length,
      filtered: on.filter((a) => a.result === 'filtered').length,
    };
  });
}

export function familyKey(family: Family): '4' | '6' {
  return family === 4 ? '4' : '6';
}
