// How advice names the way out through a relay: the ports worth recommending by default and
// the words for a list of ports. Both the clouds' advice and the diagnosis say these, and
// neither room may import the other. Pure.

/** The relay ports mxprobe recommends when nothing says otherwise. */
export const STANDARD_RELAY_PORTS: readonly number[] = [587, 465];

/** "25 and 465", "25, 465 and 587". */
export function portList(ports: readonly number[]): string {
  const names = ports.map(String);
  const last = names.pop() ?? '';
  return names.length > 0 ? `${names.join(', ')} and ${last}` : last;
}

/** "port 587 or 465", "port 2525"; '' when there is none to name. */
export function relayPortWords(ports: readonly number[]): string {
  if (ports.length === 0) return '';
  const names = ports.map(String);
  const last = names.pop() ?? '';
  return `port ${names.length > 0 ? `${names.join(', ')} or ${last}` : last}`;
}

/** "send through an authenticated relay on port 587 or 465", or an HTTPS API when none is open. */
export function relayWay(ports: readonly number[]): string {
  return ports.length > 0
    ? `send through an authenticated relay on ${relayPortWords(ports)}`
    : "no SMTP submission port is open here: send through a mail provider's HTTPS API, or get the exemption first";
}
