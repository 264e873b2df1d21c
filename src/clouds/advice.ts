// What to do about a blocked port 25, and who sets a PTR record, in the words of the platform
// the VM runs on; and the public addresses its metadata gave. Pure: the detected environment
// in, one or two sentences per point out.

import { factsOf, relayWay, STANDARD_RELAY_PORTS, type AnyCloud } from './cloud.js';
import { REGISTERED_CLOUDS, type CloudFacts } from './registry.js';

/**
 * `relayPorts`: the submission ports worth recommending (diagnosis/policy.ts leaves out the ones
 * this pass found shut and the ones the cloud's policy blocks); advice names no other.
 */
export function cloudAdvice(
  env: CloudFacts,
  relayPorts: readonly number[] = STANDARD_RELAY_PORTS,
  clouds: readonly AnyCloud[] = REGISTERED_CLOUDS,
): string[] {
  const cloud = clouds.find((c) => c.id === env.cloud);
  if (cloud === undefined) return generalAdvice(relayPorts);
  return cloud.port25Advice(factsOf(env, cloud), relayPorts);
}

function generalAdvice(relayPorts: readonly number[]): string[] {
  return [
    'No cloud platform was detected: ask the hosting provider or the network administrator whether outbound TCP port 25 is blocked and whether it can be opened for this machine.',
    `Meanwhile, ${relayWay(relayPorts)}, which is how most providers expect servers to send mail.`,
  ];
}

/** The public addresses the detected cloud's metadata gave (CONTRACT §10, source `cloud`). */
export function cloudPublicAddresses(
  env: CloudFacts,
  clouds: readonly AnyCloud[] = REGISTERED_CLOUDS,
): string[] {
  const cloud = clouds.find((c) => c.id === env.cloud);
  return cloud?.publicAddresses?.(factsOf(env, cloud)) ?? [];
}

/** Who sets the PTR record of a public address where this machine runs, and how. */
export function ptrAdvice(
  env: CloudFacts,
  clouds: readonly AnyCloud[] = REGISTERED_CLOUDS,
): string {
  const cloud = clouds.find((c) => c.id === env.cloud);
  if (cloud?.ptrAdvice) return cloud.ptrAdvice;
  const where = cloud ? cloud.name : 'the hosting provider or ISP';
  return `The PTR record is set by whoever holds the address, here ${where}: ask them to point it at a name of yours whose A/AAAA record is the address.`;
}
