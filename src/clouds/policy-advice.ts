// The advice a platform module gives from its documented policy: where the VM runs, what the
// platform blocks and for whom, its exemption path, and the way out on a port that is neither
// shut nor blocked. Pure.

import type { PortPolicy } from '../types.js';
import { portList, relayWay } from '../util/relay-words.js';

export { portList } from '../util/relay-words.js';

/**
 * The advice of a platform that documents a block: where the VM runs and what is blocked, the
 * exemption in the platform's words, and the way out on a port worth recommending.
 */
export function policyAdvice(
  name: string,
  where: string,
  policy: PortPolicy,
  relayPorts: readonly number[],
): string[] {
  const ports = policy.blockedPorts;
  return [
    `This VM runs on ${name}${where}: ${name} blocks outbound TCP ${ports.length > 1 ? 'ports' : 'port'} ${portList(ports)} for ${policy.who} (${policy.source}).`,
    `To lift it: ${policy.exemption}`,
    `Meanwhile, ${relayWay(relayPorts)}.`,
  ];
}
