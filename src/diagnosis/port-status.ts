// Attempts → which count, and each port's status (docs/reference.md, "Port statuses"). Pure.

import type { Attempt, Family, FamilyStatuses, PortReport, PortStatus } from '../types.js';

/**
 * A family is `no-route` when every one of its attempts, on every port, failed with
 * ENETUNREACH: the machine has no route for it (a VM without IPv6), which is not a block.
 */
export function familyStatuses(attempts: Attempt[]): FamilyStatuses {
  const statuses: FamilyStatuses = {};
  for (const family of [4, 6] as const) {
    const ofFamily = attempts.filter((a) => a.family === family);
    if (ofFamily.length === 0) continue;
    statuses[family] = ofFamily.every((a) => a.errorCode === 'ENETUNREACH') ? 'no-route' : 'ok';
  }
  return statuses;
}

/** The attempts that count toward port statuses and the diagnosis. */
export function countedAttempts(attempts: Attempt[], families: FamilyStatuses): Attempt[] {
  return attempts.filter((a) => families[familyKey(a.family)] !== 'no-route');
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
