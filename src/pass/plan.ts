// The plan of a pass: every target resolved (all at once), and one planned attempt for each of
// its addresses on each of its ports.

import type { ProbeConfig } from '../config/types.js';
import type { DnsClient } from '../dns/client.js';
import type { Logger } from '../log.js';
import { resolveTarget, type Endpoint } from '../probe/resolve.js';
import type { TargetReport, TargetSpec } from '../types.js';

export interface PlannedAttempt {
  target: TargetSpec;
  endpoint: Endpoint;
  port: number;
}

export interface Plan {
  targets: TargetReport[];
  attempts: PlannedAttempt[];
}

export async function planPass(
  config: ProbeConfig,
  dnsClient: (servers: string[]) => DnsClient,
  log: Logger,
): Promise<Plan> {
  const resolved = await Promise.all(
    config.targets.map(async (target) => {
      const resolution = await resolveTarget(target, config.family, dnsClient(config.dnsServers));
      log.debug('resolved', {
        target: target.name,
        status: resolution.status,
        durationMs: resolution.durationMs,
      });
      return { target, resolution };
    }),
  );
  return {
    targets: resolved.map(({ target, resolution }) => ({
      target: target.name,
      kind: target.kind,
      resolution: resolution.status,
      hosts: resolution.hosts,
      ports: target.ports,
      durationMs: resolution.durationMs,
    })),
    attempts: resolved.flatMap(({ target, resolution }) =>
      resolution.endpoints.flatMap((endpoint) =>
        target.ports.map((port) => ({ target, endpoint, port })),
      ),
    ),
  };
}
