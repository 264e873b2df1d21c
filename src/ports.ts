// What each probed port is, in one table: how to speak to it and what it means for the
// diagnosis. The dialer, the diagnosis, the config defaults and --help all read this table, so
// a new submission port (2525) is one more row here.

/** What mail travels over the port. */
export type PortRole =
  /** Server-to-server delivery to MX hosts: what cloud platforms block. */
  | 'delivery'
  /** Authenticated submission to a relay or provider: the way out when delivery is blocked. */
  | 'submission';

/** How the conversation starts on the port. */
export type PortTls =
  /** Plain SMTP; after the greeting only QUIT. */
  | 'none'
  /** Plain SMTP, then EHLO and STARTTLS to report the TLS facts, then QUIT. */
  | 'starttls'
  /** TLS from the first byte (RFC 8314), then the greeting. */
  | 'implicit';

export interface PortProfile {
  port: number;
  role: PortRole;
  tls: PortTls;
  /** A few words for --help and docs. */
  label: string;
  /**
   * An alternative port (2525): probed only where a target or relay names it, never among a
   * target's default ports.
   */
  alternative?: boolean;
}

export const PORT_TABLE: readonly PortProfile[] = [
  { port: 25, role: 'delivery', tls: 'none', label: 'MX delivery' },
  { port: 587, role: 'submission', tls: 'starttls', label: 'submission, STARTTLS' },
  { port: 465, role: 'submission', tls: 'implicit', label: 'submission, implicit TLS' },
  // Relays listen here because platforms block 25, 465 and even 587 (CONTRACT §9).
  {
    port: 2525,
    role: 'submission',
    tls: 'starttls',
    label: 'alternative submission, STARTTLS',
    alternative: true,
  },
];

/** The port the diagnosis codes `port25-*` are about: MX delivery. */
export const DELIVERY_PORT = 25;

/** Ports probed when a target names none: every standard port of the table, in its order. */
export function defaultPorts(table: readonly PortProfile[] = PORT_TABLE): number[] {
  return table.filter((p) => p.alternative !== true).map((p) => p.port);
}

/** The standard submission ports (587, 465): the ones "every standard port is shut" is about. */
export function standardSubmissionPorts(table: readonly PortProfile[] = PORT_TABLE): number[] {
  return table.filter((p) => p.role === 'submission' && p.alternative !== true).map((p) => p.port);
}

/** The table's row for a port; a port not in the table is probed as plain SMTP, no role. */
export function portProfile(
  port: number,
  table: readonly PortProfile[] = PORT_TABLE,
): PortProfile | undefined {
  return table.find((p) => p.port === port);
}

export function isSubmissionPort(
  port: number,
  table: readonly PortProfile[] = PORT_TABLE,
): boolean {
  return portProfile(port, table)?.role === 'submission';
}

/** How the dialer treats a port: TLS first, or STARTTLS inspected after the greeting. */
export function dialModeOf(
  port: number,
  table: readonly PortProfile[] = PORT_TABLE,
): { implicitTls: boolean; inspectStartTls: boolean } {
  const tls = portProfile(port, table)?.tls ?? 'none';
  return { implicitTls: tls === 'implicit', inspectStartTls: tls === 'starttls' };
}

/** "25 (MX delivery), 587 (submission, STARTTLS), 465 (submission, implicit TLS)". */
export function describePorts(table: readonly PortProfile[] = PORT_TABLE): string {
  return table.map((p) => `${p.port} (${p.label})`).join(', ');
}
