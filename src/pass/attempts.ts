// The attempts of a pass: each planned one dialled when the scheduler allows (per destination,
// within the socket budget), its facts classified into an Attempt, and the egress reputation
// told what the peer saw.

import { isIP } from 'node:net';
import { hostname } from 'node:os';
import type { ProbeConfig } from '../config/types.js';
import { DEFAULTS } from '../config/defaults.js';
import type { Logger } from '../log.js';
import { dialModeOf } from '../ports.js';
import { classifyAttempt } from '../probe/classify-attempt.js';
import { staggerWidth } from '../probe/connect.js';
import type { Dial, DialFacts } from '../probe/dial.js';
import { runScheduled, type ScheduleOptions } from '../probe/schedule.js';
import { openFileLimit, socketBound, type SocketLease } from '../probe/sockets.js';
import type { ReputationCheck } from '../reputation/check.js';
import type { Attempt } from '../types.js';
import type { AbortFanout } from '../util/abort.js';
import type { PlannedAttempt } from './plan.js';

export interface AttemptContext {
  config: ProbeConfig;
  units: AbortFanout;
  dial: Dial;
  reputation: Pick<ReputationCheck, 'attemptSeen'>;
  log: Logger;
  startsPerSecond: number;
  signal: AbortSignal | undefined;
  /** Called as each attempt finishes, with how many have. */
  onAttempt: (attempt: Attempt, done: number) => void;
}

export function runAttempts(
  planned: PlannedAttempt[],
  context: AttemptContext,
): Promise<Attempt[]> {
  const ehloName = hostname();
  let done = 0;
  return runScheduled(
    planned,
    (p) => ({ target: `${p.target.kind}:${p.target.name}`, address: p.endpoint.address }),
    (p, lease) =>
      context.units.run(async (signal) => {
        const attempt = await attemptOne(p, lease, signal, ehloName, context);
        done += 1;
        context.onAttempt(attempt, done);
        return attempt;
      }),
    scheduleOptions(context),
  );
}

async function attemptOne(
  { target, endpoint, port }: PlannedAttempt,
  sockets: SocketLease,
  signal: AbortSignal | undefined,
  ehloName: string,
  { config, dial, reputation, log }: AttemptContext,
): Promise<Attempt> {
  const facts = await dial({
    address: endpoint.address,
    family: endpoint.family,
    port,
    servername: isIP(endpoint.host) ? undefined : endpoint.host,
    ...dialModeOf(port),
    ehloName,
    connectTimeoutMs: config.connectTimeoutMs,
    greetingTimeoutMs: config.greetingTimeoutMs,
    signal,
    sockets,
  });
  const attempt = attemptOf({ target, endpoint, port }, facts);
  reputation.attemptSeen({ ...facts, peerAddress: endpoint.address });
  log.debug('attempt', { ...attempt, connectTries: facts.connectTries });
  return attempt;
}

/** A planned attempt and the facts of its dial → the Attempt of the report. Pure. */
export function attemptOf({ target, endpoint, port }: PlannedAttempt, facts: DialFacts): Attempt {
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
  return attempt;
}

/** Politeness from the config; sockets within the open-file limit. */
function scheduleOptions({
  config,
  log,
  startsPerSecond,
  signal,
}: AttemptContext): ScheduleOptions {
  const fdLimit = openFileLimit();
  const sockets = socketBound(config.maxSockets, fdLimit);
  if (sockets < config.maxSockets) {
    log.debug('socket budget lowered to fit the open-file limit', {
      maxSockets: config.maxSockets,
      fdLimit,
      sockets,
    });
  }
  return {
    perTarget: config.concurrency,
    perAddress: DEFAULTS.perAddressConcurrency,
    spacingMs: config.hostSpacingMs,
    startsPerSecond,
    sockets,
    socketsPerAttempt: staggerWidth(config.connectTimeoutMs),
    signal,
  };
}
