// What a caller may hand a pass: its deadline, pace, log and progress, and the functions that
// reach the network (tests swap any of them for a fake).

import type { CloudFacts } from '../clouds/registry.js';
import type { ProbeConfig } from '../config/types.js';
import type { DnsClient } from '../dns/client.js';
import type { Logger } from '../log.js';
import type { Dial } from '../probe/dial.js';
import type { Attempt, RelayReport, RelaySpec } from '../types.js';

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
