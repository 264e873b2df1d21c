// The smtp-interception finding: port-25 greetings of different providers all come from one
// host, so something on the path (a transparent proxy, an ISP's filter) answers in their place.

import { DELIVERY_PORT } from '../ports.js';
import type { Attempt } from '../types.js';
import { normalizeHostName } from '../util/host-name.js';

/**
 * The one host name that answered port 25 for two or more different target domains, whose MX
 * hosts are not in one DNS zone: something on the path answers in their place.
 */
export function interceptedBy(attempts: Attempt[]): string | undefined {
  const greeted = attempts.filter(
    (a) => a.port === DELIVERY_PORT && a.result === 'reachable' && a.greeting,
  );
  const names = new Set(greeted.map((a) => greetingHostName(a.greeting ?? '')));
  const targets = new Set(greeted.map((a) => a.target));
  const zones = new Set(greeted.map((a) => parentZone(a.host)));
  if (names.size !== 1 || targets.size < 2 || zones.size < 2) return undefined;
  const [name] = names;
  return name || undefined;
}

function greetingHostName(greeting: string): string {
  return normalizeHostName(greeting.split(/\s+/)[1] ?? '');
}

function parentZone(host: string): string {
  return host.split('.').slice(-2).join('.');
}
