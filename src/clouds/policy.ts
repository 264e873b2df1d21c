// The documented port policy of the detected cloud (CONTRACT §9: `environment.policy`). Pure.

import type { AnyCloud, PortPolicy } from './cloud.js';
import { REGISTERED_CLOUDS, type CloudFacts } from './registry.js';

export type { PortPolicy } from './cloud.js';

/** `environment.policy`: the detected cloud's documented block, or null (none, or no block). */
export function cloudPolicy(
  env: CloudFacts,
  clouds: readonly AnyCloud[] = REGISTERED_CLOUDS,
): PortPolicy | null {
  const cloud = clouds.find((c) => c.id === env.cloud);
  return cloud?.portPolicy ?? null;
}

/** The detected cloud's name for sentences, or null when none was detected. */
export function cloudName(
  env: CloudFacts,
  clouds: readonly AnyCloud[] = REGISTERED_CLOUDS,
): string | null {
  return clouds.find((c) => c.id === env.cloud)?.name ?? null;
}
