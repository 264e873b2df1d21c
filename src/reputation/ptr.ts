// Forward-confirmed reverse DNS (FCrDNS), the check Gmail and Outlook make on a sending
// address: its PTR names, and whether one of them resolves back to it. Pure: the lookups
// arrive as answers.

import type { PtrFinding } from '../types.js';
import { canonicalAddress, type IpAddress } from './address.js';
import type { Lookup } from '../dns/client.js';
import { normalizeHostName } from '../util/host-name.js';

/** PTR names whose A/AAAA records are checked; an address with more is misconfigured anyway. */
export const MAX_PTR_NAMES = 5;

/** A PTR name as mxprobe keeps it: lower case, without the root's trailing dot. */
export function ptrNames(answer: Lookup<string[]>): string[] {
  if (!answer.ok) return [];
  const names = answer.value.map(normalizeHostName).filter(Boolean);
  return [...new Set(names)].slice(0, MAX_PTR_NAMES);
}

/**
 * `ok`: a PTR name resolves back to the address; `mismatch`: PTR names exist and each
 * answered without it; `none`: NXDOMAIN or no PTR record; `error`: the PTR lookup failed, or
 * no name matched and some forward lookup failed (which cannot tell a mismatch).
 */
export function ptrVerdict(
  ip: IpAddress,
  ptr: Lookup<string[]>,
  forward: ReadonlyMap<string, Lookup<string[]>>,
): PtrFinding {
  if (!ptr.ok) {
    const none = ptr.status === 'nxdomain' || ptr.status === 'nodata';
    return { status: none ? 'none' : 'error', names: [] };
  }
  const names = ptrNames(ptr);
  if (names.length === 0) return { status: 'none', names };
  const answers = names.map((name) => forward.get(name));
  const confirmed = answers.some(
    (a) => a?.ok === true && a.value.some((v) => canonicalAddress(v)?.address === ip.address),
  );
  if (confirmed) return { status: 'ok', names };
  const failed = answers.some(
    (a) => a === undefined || (!a.ok && a.status !== 'nxdomain' && a.status !== 'nodata'),
  );
  return { status: failed ? 'error' : 'mismatch', names };
}
