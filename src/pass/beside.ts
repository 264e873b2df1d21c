// The checks that run beside the attempts, each under a deadline of its own so that none holds
// the pass up: cloud detection, relay verification, the egress reputation (which also learns
// from the attempts and the detected cloud as they come) and, when the config asks for it, the
// sender identity.

import { cloudPublicAddresses } from '../clouds/advice.js';
import { detectCloud } from '../clouds/detect.js';
import type { CloudFacts } from '../clouds/registry.js';
import type { ProbeConfig } from '../config/types.js';
import type { DnsClient } from '../dns/client.js';
import { startIdentityCheck, type IdentityCheck } from '../identity/check.js';
import type { Logger } from '../log.js';
import { verifyRelay } from '../relay/verify.js';
import { ReputationCheck } from '../reputation/check.js';
import type { RelayReport, RelaySpec } from '../types.js';
import type { AbortFanout } from '../util/abort.js';
import type { PassOptions } from './options.js';

export interface BesideChecks {
  reputation: ReputationCheck;
  cloud: Promise<CloudFacts>;
  relays: Promise<RelayReport[]>;
  /** Unset without an identity: section in the config. */
  identity: Promise<IdentityCheck> | undefined;
}

/** Starts the checks; each waits on a signal of its own from `units` (util/abort.ts). */
export function startBesideChecks(
  config: ProbeConfig,
  options: PassOptions,
  units: AbortFanout,
  deps: { log: Logger; dnsClient: (servers: string[]) => DnsClient },
): BesideChecks {
  const reputation = new ReputationCheck({
    zones: config.reputation.dnsbl,
    egressAddresses: config.reputation.egressAddresses,
    dnsClient: () => deps.dnsClient(config.dnsServers),
    signal: options.signal,
    log: deps.log,
  });
  const identity =
    config.identity &&
    startIdentityCheck({
      settings: config.identity,
      dnsClient: () => deps.dnsClient(config.dnsServers),
      signal: options.signal,
    });
  const cloud = units
    .run((s) => (options.detectCloud ?? defaultDetectCloud)(config, s))
    .then((facts) => {
      reputation.cloudDetected(cloudPublicAddresses(facts));
      return facts;
    });
  const relays = Promise.all(
    config.relays.map((relay) =>
      units.run((s) => (options.verifyRelay ?? defaultVerifyRelay)(relay, config, s)),
    ),
  );
  return { reputation, cloud, relays, identity };
}

function defaultDetectCloud(config: ProbeConfig, signal?: AbortSignal): Promise<CloudFacts> {
  return detectCloud(config.cloud, signal ? { signal } : {});
}

function defaultVerifyRelay(
  relay: RelaySpec,
  config: ProbeConfig,
  signal?: AbortSignal,
): Promise<RelayReport> {
  return verifyRelay(relay, {
    connectTimeoutMs: config.connectTimeoutMs,
    greetingTimeoutMs: config.greetingTimeoutMs,
    ...(signal ? { signal } : {}),
  });
}
