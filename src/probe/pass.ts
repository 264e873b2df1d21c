// One probe pass: resolve every target, dial every address on every port (bounded and spaced),
// verify relays, detect the cloud, check the egress addresses' reputation, and assemble the
// report. The network is reached only through the injected dial/DNS/relay/cloud functions, so
// tests can swap any of them.

import { hostname } from 'node:os';
import { isIP } from 'node:net';
import { performance } from 'node:perf_hooks';
import { cloudAdvice, cloudPublicAddresses, ptrAdvice } from '../clouds/advice.js';
import { detectCloud } from '../clouds/detect.js';
import type { CloudFacts } from '../clouds/registry.js';
import { DEFAULTS } from '../config/defaults.js';
import type { ProbeConfig } from '../config/types.js';
import { diagnose } from '../diagnosis/diagnose.js';
import {
  countedAttempts,
  familyStatuses,
  portReports,
  portsLostToLocalErrors,
} from '../diagnosis/port-status.js';
import { silentLogger, type Logger } from '../log.js';
import { dialModeOf } from '../ports.js';
import { verifyRelay } from '../relay/verify.js';
import { ReputationCheck } from '../reputation/check.js';
import { startIdentityCheck } from '../identity/check.js';
import { withIdentity } from '../identity/diagnosis.js';
import type {
  Attempt,
  RelayReport,
  RelaySpec,
  Report,
  TargetReport,
  TargetSpec,
} from '../types.js';
import { createDnsClient, type DnsClient } from '../dns/client.js';
import { classifyAttempt } from './classify.js';
import { dialSmtp, type Dial } from './dial.js';
import { resolveTarget, type Endpoint } from './resolve.js';
import { runScheduled } from './schedule.js';
import { AbortFanout } from '../util/abort.js';
import { describeErrno } from '../util/errno.js';
import { staggerWidth } from './connect.js';
import { openFileLimit, socketBound } from './sockets.js';

export interface ProgressEvent {
  phase: 'resolve' | 'probe';
  done: number;
  total: number;
  attempt?: Attempt;
}

export interface PassOptions {
  signal?: AbortSignal | undefined;
  /** Attempts started per second, at most (the one-shot rate when absent). */
  startsPerSecond?: number;
  log?: Logger;
  onProgress?: (event: ProgressEvent) => void;
  dial?: Dial;
  dnsClient?: (servers: string[]) => DnsClient;
  verifyRelay?: (
    relay: RelaySpec,
    config: ProbeConfig,
    signal?: AbortSignal,
  ) => Promise<RelayReport>;
  detectCloud?: (config: ProbeConfig, signal?: AbortSignal) => Promise<CloudFacts>;
}

interface PlannedAttempt {
  target: TargetSpec;
  endpoint: Endpoint;
  port: number;
}

/**
 * Attempts that failed on this machine (out of file descriptors, ports, memory) left a port
 * without any attempt that counts: nothing was learned about its path, and a verdict made
 * without it would be wrong (an `ok` without port 25, say), so the pass gives none
 * (docs/reference.md, "Results and reasons").
 */
export class LocalFailureError extends Error {
  override readonly name = 'LocalFailureError';
  constructor(
    readonly ports: number[],
    readonly failed: Attempt[],
  ) {
    const codes = [...new Set(failed.map((a) => a.errorCode ?? 'local'))];
    super(
      `no verdict: ${failed.length} ${failed.length === 1 ? 'attempt' : 'attempts'} failed on this machine (${codes.map(describeCode).join(', ')}), leaving port ${ports.join(', ')} without a result; nothing was learned about the path`,
    );
  }
}

function describeCode(code: string): string {
  const words = describeErrno({ code });
  return words === code ? code : `${code}: ${words}`;
}

export async function runPass(config: ProbeConfig, options: PassOptions = {}): Promise<Report> {
  const units = new AbortFanout(options.signal);
  try {
    return await probe(config, options, units);
  } finally {
    units.close();
  }
}

async function probe(
  config: ProbeConfig,
  options: PassOptions,
  units: AbortFanout,
): Promise<Report> {
  const { signal } = options;
  const log = options.log ?? silentLogger;
  const dial = options.dial ?? dialSmtp;
  const dnsClient = options.dnsClient ?? createDnsClient;
  const startedAt = new Date();
  const started = performance.now();

  // Egress reputation runs beside everything else, under its own deadline (reputation/check.ts).
  const reputation = new ReputationCheck({
    zones: config.reputation.dnsbl,
    egressAddresses: config.reputation.egressAddresses,
    dnsClient: () => dnsClient(config.dnsServers),
    signal,
    log,
  });
  // Sender identity too (identity/check.ts), when the config asks for it.
  const identityCheck =
    config.identity &&
    startIdentityCheck({
      settings: config.identity,
      dnsClient: () => dnsClient(config.dnsServers),
      signal,
    });
  // Cloud detection runs beside resolution and has its own short deadline: never in the way.
  // It, each relay and each attempt wait on signals of their own (util/abort.ts, AbortFanout).
  const environment = units
    .run((s) => (options.detectCloud ?? defaultDetectCloud)(config, s))
    .then((cloud) => {
      reputation.cloudDetected(cloudPublicAddresses(cloud));
      return cloud;
    });
  const relays = Promise.all(
    config.relays.map((relay) =>
      units.run((s) => (options.verifyRelay ?? defaultVerifyRelay)(relay, config, s)),
    ),
  );

  const resolved = await Promise.all(
    config.targets.map(async (target) => {
      const dns = dnsClient(config.dnsServers);
      const resolution = await resolveTarget(target, config.family, dns);
      log.debug('resolved', {
        target: target.name,
        status: resolution.status,
        durationMs: resolution.durationMs,
      });
      return { target, resolution };
    }),
  );
  signal?.throwIfAborted();
  options.onProgress?.({ phase: 'resolve', done: resolved.length, total: resolved.length });

  const targets: TargetReport[] = resolved.map(({ target, resolution }) => ({
    target: target.name,
    kind: target.kind,
    resolution: resolution.status,
    hosts: resolution.hosts,
    ports: target.ports,
    durationMs: resolution.durationMs,
  }));
  const planned: PlannedAttempt[] = resolved.flatMap(({ target, resolution }) =>
    resolution.endpoints.flatMap((endpoint) =>
      target.ports.map((port) => ({ target, endpoint, port })),
    ),
  );

  let done = 0;
  const ehloName = hostname();
  const fdLimit = openFileLimit();
  const sockets = socketBound(config.maxSockets, fdLimit);
  if (sockets < config.maxSockets) {
    log.debug('socket budget lowered to fit the open-file limit', {
      maxSockets: config.maxSockets,
      fdLimit,
      sockets,
    });
  }
  const attempts = await runScheduled(
    planned,
    (p) => ({ target: `${p.target.kind}:${p.target.name}`, address: p.endpoint.address }),
    ({ target, endpoint, port }, lease): Promise<Attempt> =>
      units.run(async (attemptSignal): Promise<Attempt> => {
        const facts = await dial({
          address: endpoint.address,
          family: endpoint.family,
          port,
          servername: isIP(endpoint.host) ? undefined : endpoint.host,
          ...dialModeOf(port),
          ehloName,
          connectTimeoutMs: config.connectTimeoutMs,
          greetingTimeoutMs: config.greetingTimeoutMs,
          signal: attemptSignal,
          sockets: lease,
        });
        const { result, reason } = classifyAttempt(facts.outcome);
        const attempt: Attempt = {
          target: target.name,
          host: endpoint.host,
          address: endpoint.address,
          family: endpoint.family,
          port,
          result,
          reason,
          durationMs: facts.durationMs,
          greeting: facts.greeting,
          tls: facts.tls,
        };
        if (facts.errorCode !== undefined) attempt.errorCode = facts.errorCode;
        if (facts.starttls !== undefined) attempt.starttls = facts.starttls;
        reputation.attemptSeen({ ...facts, peerAddress: endpoint.address });
        log.debug('attempt', { ...attempt, connectTries: facts.connectTries });
        done += 1;
        options.onProgress?.({ phase: 'probe', done, total: planned.length, attempt });
        return attempt;
      }),
    {
      perTarget: config.concurrency,
      perAddress: DEFAULTS.perAddressConcurrency,
      spacingMs: config.hostSpacingMs,
      startsPerSecond: options.startsPerSecond ?? DEFAULTS.onceStartsPerSecond,
      sockets,
      socketsPerAttempt: staggerWidth(config.connectTimeoutMs),
      signal,
    },
  );

  const relayReports = await relays;
  const cloud = await environment;
  const egressReport = reputation.finish();
  const identityReport = identityCheck?.then((check) =>
    check.finish(egressReport.then((e) => e.addresses)),
  );
  const egress = await egressReport;
  const identity = await identityReport;
  const families = familyStatuses(attempts);
  const counted = countedAttempts(attempts, families);
  const unanswered = portsLostToLocalErrors(attempts, counted);
  if (unanswered.length > 0) {
    throw new LocalFailureError(
      unanswered,
      attempts.filter((a) => a.result === 'error'),
    );
  }
  const ports = portReports(uniquePorts(config.targets), counted);
  const env = { ...cloud, hostname: hostname(), families };
  const diagnosis = withIdentity(
    diagnose({
      targets,
      attempts,
      families,
      ports,
      relays: relayReports,
      egress,
      port25Advice: cloudAdvice(env),
      ptrAdvice: ptrAdvice(env),
    }),
    identity,
    egress.addresses,
    ptrAdvice(env),
  );
  return {
    schemaVersion: 1,
    startedAt: startedAt.toISOString(),
    durationMs: Math.round(performance.now() - started),
    environment: env,
    targets,
    attempts,
    ports,
    relays: relayReports,
    egress,
    ...(identity === undefined ? {} : { identity }),
    diagnosis,
  };
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

/** Every port asked for, in the order first asked. */
function uniquePorts(targets: TargetSpec[]): number[] {
  return [...new Set(targets.flatMap((t) => t.ports))];
}
