// The human report of `probe --once`: one row per attempt, then port statuses, the egress
// addresses with their PTR and DNSBL findings, relays, and the diagnosis with its advice.
// Pure: returns text; colour is decided by the caller. Every text of the report may have come
// from outside (a server's reply in a relay's reason, a host name from DNS, a config file): all
// of it goes through `printable` before it is printed, whether stdout is a terminal or a file,
// so no peer can write control sequences to a terminal.

import { deliveryLines } from '../canary/words.js';
import type {
  Attempt,
  DnsblStatus,
  EgressAddress,
  EgressSource,
  PortStatus,
  PtrStatus,
  Report,
  Result,
} from '../types.js';
import { assertNever } from '../util/assert-never.js';
import { printable } from '../util/printable.js';
import { wrapLines } from '../util/text.js';
import { identityLines } from '../identity/words.js';

export interface RenderOptions {
  color: boolean;
  width: number;
}

const ANSI = { red: 31, green: 32, yellow: 33, bold: 1, dim: 2 } as const;
type Style = keyof typeof ANSI;
type Paint = (style: Style, text: string) => string;

/** The width when the terminal gives none (a terminal that reports 0 columns, as under `script`). */
export const DEFAULT_REPORT_WIDTH = 100;

export function renderReport(report: Report, options: RenderOptions): string {
  const paint: Paint = (style, text) =>
    options.color ? `\x1b[${ANSI[style]}m${text}\x1b[0m` : text;
  const width = options.width > 0 ? options.width : DEFAULT_REPORT_WIDTH;
  const section = (title: string, lines: string[]): string[] =>
    lines.length > 0 ? [paint('bold', title), ...lines, ''] : [];
  const out = [
    ...headerLines(report, paint),
    ...attemptTable(report.attempts, paint),
    ...section('Not probed (name resolution)', unresolvedLines(report)),
    paint('bold', 'Ports'),
    ...portLines(report, paint),
    ...localErrorNote(report.attempts, width),
    '',
    ...section('Egress addresses', egressLines(report.egress.addresses, paint)),
    ...section(
      'Sender identity',
      report.identity === undefined
        ? []
        : identityLines(report.identity).map((line) => printable(line)),
    ),
    ...section('Relays', relayLines(report, paint)),
    // deliveryLines opens with its own title ("Delivery"), painted here like the others.
    ...section('Delivery', deliveryLines(report.canaries ?? []).slice(1)),
    ...diagnosisLines(report, paint, width),
  ];
  return `${out.join('\n')}\n`;
}

function headerLines(report: Report, paint: Paint): string[] {
  const env = report.environment;
  const families = Object.entries(env.families)
    .map(([f, s]) => `IPv${f} ${s}`)
    .join(', ');
  return [
    paint('bold', `mxprobe: outbound SMTP from ${printable(env.hostname)}`) +
      paint(
        'dim',
        ` (cloud: ${env.cloud}${families ? `; ${families}` : ''}; ${seconds(report.durationMs)})`,
      ),
    '',
  ];
}

/** One row per attempt, columns as wide as their widest cell, result and reason painted. */
function attemptTable(attempts: Attempt[], paint: Paint): string[] {
  if (attempts.length === 0) return [];
  const header = ['TARGET', 'HOST', 'ADDRESS', 'PORT', 'RESULT', 'REASON', 'TIME'];
  const rows = attempts.map((a) => [
    printable(a.target),
    printable(a.host),
    printable(a.address),
    String(a.port),
    a.result,
    a.reason,
    seconds(a.durationMs),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[], colorOf?: (cell: string, i: number) => string): string =>
    cells
      .map((cell, i) => {
        const padded = i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0);
        return colorOf ? colorOf(padded, i) : padded;
      })
      .join('  ')
      .trimEnd();
  return [
    paint('bold', line(header)),
    ...attempts.map((attempt, index) =>
      line(rows[index] ?? [], (cell, i) =>
        i === 4 || i === 5 ? paint(resultStyle(attempt.result), cell) : cell,
      ),
    ),
    '',
  ];
}

function unresolvedLines(report: Report): string[] {
  const unresolved = report.targets.filter((t) => t.resolution !== 'ok');
  const names = unresolved.map((t) => printable(t.target));
  const width = Math.max(0, ...names.map((name) => name.length));
  return unresolved.map((t, i) => `  ${(names[i] ?? '').padEnd(width)}  ${t.resolution}`);
}

function portLines(report: Report, paint: Paint): string[] {
  return report.ports.map((p) => {
    const local = report.attempts.filter((a) => a.port === p.port && a.result === 'error').length;
    const counts = `${p.reachable} reachable, ${p.blocked} blocked, ${p.filtered} filtered${local > 0 ? `; ${local} not counted (local error)` : ''}`;
    return `  ${String(p.port).padEnd(5)} ${paint(statusStyle(p.status), p.status.padEnd(8))}  ${counts}`;
  });
}

function relayLines(report: Report, paint: Paint): string[] {
  return report.relays.map((r) => {
    const status = paint(r.status === 'ok' ? 'green' : 'red', r.status);
    return `  ${printable(r.name)}  ${printable(r.host)}:${r.port}  ${status}${r.reason ? `  ${printable(r.reason)}` : ''}  ${seconds(r.durationMs)}`;
  });
}

/** The code and hints, the summary, what to do, and the certificates a person should see. */
function diagnosisLines(report: Report, paint: Paint, width: number): string[] {
  const d = report.diagnosis;
  const codeStyle: Style = d.code === 'ok' ? 'green' : d.code === 'partial' ? 'yellow' : 'red';
  const items = (title: string, texts: string[]): string[] =>
    texts.length === 0
      ? []
      : [
          '',
          paint('bold', title),
          ...texts.flatMap((t) => wrapLines(printable(t), width, '  - ', '    ')),
        ];
  return [
    `${paint('bold', 'Diagnosis:')} ${paint(codeStyle, d.code)}${d.hints.length ? paint('dim', `  (hints: ${d.hints.join(', ')})`) : ''}`,
    ...wrapLines(printable(d.summary), width, '  ', '  '),
    ...items('What to do', d.advice),
    ...items('TLS', tlsNotes(report.attempts)),
  ];
}

const SOURCE_WORDS: Record<EgressSource, string> = {
  config: 'from the config',
  cloud: 'from the cloud metadata',
  greeting: 'named by a mail server',
  local: 'local source address',
};

/** Each address with where it was learnt and its PTR, then one line per DNSBL zone. */
function egressLines(addresses: EgressAddress[], paint: Paint): string[] {
  const width = Math.max(...addresses.flatMap((a) => a.dnsbl.map((d) => d.zone.length)), 0);
  return addresses.flatMap((a) => {
    const names =
      a.ptr.names.length > 0 ? ` (${a.ptr.names.map((name) => printable(name)).join(', ')})` : '';
    const ptr = `ptr: ${paint(ptrStyle(a.ptr.status), a.ptr.status)}${names}`;
    const zones =
      a.dnsbl.length === 0
        ? ['    dnsbl: not checked (reputation.dnsbl is empty)']
        : a.dnsbl.map((d) => {
            const codes = d.codes?.length ? `  ${d.codes.join(', ')}` : '';
            const text = d.text ? `  "${printable(d.text)}"` : '';
            const status = codes || text ? d.status.padEnd(7) : d.status;
            return `    ${d.zone.padEnd(width)}  ${paint(dnsblStyle(d.status), status)}${codes}${text}`;
          });
    return [`  ${a.address}  ${paint('dim', `(${SOURCE_WORDS[a.source]})`)}  ${ptr}`, ...zones];
  });
}

function ptrStyle(status: PtrStatus): Style {
  return status === 'ok' ? 'green' : status === 'error' ? 'yellow' : 'red';
}

function dnsblStyle(status: DnsblStatus): Style {
  if (status === 'clean') return 'green';
  return status === 'listed' ? 'red' : 'yellow';
}

/** Attempts this machine could not make say nothing about the path; say why they do not count. */
function localErrorNote(attempts: Attempt[], width: number): string[] {
  const local = attempts.filter((a) => a.result === 'error');
  if (local.length === 0) return [];
  const codes = [...new Set(local.map((a) => a.errorCode ?? 'local'))].join(', ');
  return wrapLines(
    `${local.length} ${local.length === 1 ? 'attempt' : 'attempts'} failed on this machine (${printable(codes)}), not on the path: not counted.`,
    width,
    '  ',
    '  ',
  );
}

/** Certificate facts do not change a result, but a person wants to see the bad ones. */
function tlsNotes(attempts: Attempt[]): string[] {
  return attempts
    .filter((a) => a.tls && !a.tls.authorized)
    .map(
      (a) =>
        `${a.host === a.address ? '' : `${a.host} `}${a.address}:${a.port} ${a.tls?.protocol ?? 'TLS'}: certificate not trusted (${a.tls?.authorizationError ?? 'unknown'})${a.tls?.validTo ? `, valid to ${a.tls.validTo}` : ''}`,
    );
}

function resultStyle(result: Result): Style {
  switch (result) {
    case 'reachable':
      return 'green';
    case 'blocked':
      return 'red';
    case 'filtered':
      return 'yellow';
    case 'error':
      return 'dim';
    default:
      return assertNever(result);
  }
}

function statusStyle(status: PortStatus): Style {
  if (status === 'open') return 'green';
  if (status === 'partial' || status === 'filtered') return 'yellow';
  if (status === 'unknown') return 'dim';
  return 'red';
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)}s`;
}
