// One probe pass, thin: start the checks that run beside it (cloud, relays, reputation, sender
// identity), plan
// (resolve every target), run the attempts, and assemble the report once everything is in.
// The network is reached only through the injected dial/DNS/relay/cloud functions, so tests
// can swap any of them.

import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { ProbeConfig } from '../config/types.js';
import { DEFAULTS } from '../config/defaults.js';
import { createDnsClient } from '../dns/client.js';
import { silentLogger } from '../log.js';
import { dialSmtp } from '../probe/dial.js';
import type { Report } from '../types.js';
import { AbortFanout } from '../util/abort.js';
import { assembleReport } from './assemble.js';
import { runAttempts } from './attempts.js';
import { startBesideChecks } from './beside.js';
import type { PassOptions } from './options.js';
import { planPass } from './plan.js';

export { LocalFailureError } from './local-failure.js';
export type { PassOptions, ProgressEvent } from './options.js';

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
  const { signal, onProgress } = options;
  const log = options.log ?? silentLogger;
  const dnsClient = options.dnsClient ?? createDnsClient;
  const startedAt = new Date();
  const started = performance.now();

  const beside = startBesideChecks(config, options, units, { log, dnsClient });
  const plan = await planPass(config, dnsClient, log);
  signal?.throwIfAborted();
  const resolved = plan.targets.length;
  onProgress?.({ phase: 'resolve', done: resolved, total: resolved });

  const attempts = await runAttempts(plan.attempts, {
    config,
    units,
    dial: options.dial ?? dialSmtp,
    reputation: beside.reputation,
    log,
    startsPerSecond: options.startsPerSecond ?? DEFAULTS.onceStartsPerSecond,
    signal,
    onAttempt: (attempt, done) =>
      onProgress?.({ phase: 'probe', done, total: plan.attempts.length, attempt }),
  });

  const relays = await beside.relays;
  const cloud = await beside.cloud;
  const egressReport = beside.reputation.finish();
  // Identity's deadline starts now, beside the egress deadline; its SPF and EHLO checks then
  // wait for the egress addresses.
  const identityReport = beside.identity?.then((check) =>
    check.finish(egressReport.then((e) => e.addresses)),
  );
  const egress = await egressReport;
  const identity = await identityReport;
  return assembleReport({
    startedAt,
    durationMs: Math.round(performance.now() - started),
    hostname: hostname(),
    targetSpecs: config.targets,
    dnsServers: config.dnsServers,
    targets: plan.targets,
    attempts,
    relays,
    cloud,
    egress,
    identity,
  });
}
