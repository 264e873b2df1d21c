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
import { printable } from '../util/printable.js';

export interface RenderOptions {
  color: boolean;
  width: number;
}

const ANSI = { red: 31, green: 32, yellow: 33, bold: 1, dim: 2 } as const;
type Style = keyof typeof ANSI;

export function renderReport(report: Report, options: RenderOptions): string {
  const paint = (style: Style, text: string): string =>
    options.color ? `\x1b[${ANSI[style]}m${text}\x1b[0m` : text;
  const out: string[] = [];
  const env = report.environment;
  const families = Object.entries(env.families)
    .map(([f, s]) => `IPv${f} ${s}`)
    .join(', ');
  out.push(
    paint('bold', `mxprobe: outbound SMTP from ${printable(env.hostname)}`) +
      paint(
        'dim',
        ` (cloud: ${env.cloud}${families ? `; ${families}` : ''}; ${seconds(report.durationMs)})`,
      ),
    '',
  );

  if (report.attempts.length > 0) {
    const header = ['TARGET', 'HOST', 'ADDRESS', 'PORT', 'RESULT', 'REASON', 'TIME'];
    const rows = report.attempts.map((a) => [
      printable(a.target),
      printable(a.host),
      printable(a.address),
      String(a.port),
      a.result,
      a.reason,
      seconds(a.durationMs),
    ]);
    const widths = header.map((h, i) =>
      Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)),
    );
    const line = (cells: string[], colorOf?: (cell: string, i: number) => string): string =>
      cells
        .map((cell, i) => {
          const padded = i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0);
          return colorOf ? colorOf(padded, i) : padded;
        })
        .join('  ')
        .trimEnd();
    out.push(paint('bold', line(header)));
    report.attempts.forEach((attempt, index) => {
      out.push(
        line(rows[index] ?? [], (cell, i) =>
          i === 4 || i === 5 ? paint(resultStyle(attempt.result), cell) : cell,
        ),
      );
    });
    out.push('');
  }

  const unresolved = report.targets.filter((t) => t.resolution !== 'ok');
  if (unresolved.length > 0) {
    out.push(paint('bold', 'Not probed (name resolution)'));
    const names = unresolved.map((t) => printable(t.target));
    const width = Math.max(...names.map((name) => name.length));
    unresolved.forEach((t, i) => out.push(`  ${(names[i] ?? '').padEnd(width)}  ${t.resolution}`));
    out.push('');
  }

  out.push(paint('bold', 'Ports'));
  for (const p of report.ports) {
    const local = report.attempts.filter((a) => a.port === p.port && a.result === 'error').length;
    const counts = `${p.reachable} reachable, ${p.blocked} blocked, ${p.filtered} filtered${local > 0 ? `; ${local} not counted (local error)` : ''}`;
    out.push(
      `  ${String(p.port).padEnd(5)} ${paint(statusStyle(p.status), p.status.padEnd(8))}  ${counts}`,
    );
  }
  out.push(...localErrorNote(report.attempts, options.width));
  out.push('');

  if (report.egress.addresses.length > 0) {
    out.push(paint('bold', 'Egress addresses'), ...egressLines(report.egress.addresses, paint), '');
  }

  if (report.relays.length > 0) {
    out.push(paint('bold', 'Relays'));
    for (const r of report.relays) {
      const status = paint(r.status === 'ok' ? 'green' : 'red', r.status);
      out.push(
        `  ${printable(r.name)}  ${printable(r.host)}:${r.port}  ${status}${r.reason ? `  ${printable(r.reason)}` : ''}  ${seconds(r.durationMs)}`,
      );
    }
    out.push('');
  }

  const delivery = deliveryLines(report.canaries ?? []);
  if (delivery.length > 0) out.push(paint('bold', delivery[0] ?? ''), ...delivery.slice(1), '');

  const d = report.diagnosis;
  const codeStyle: Style = d.code === 'ok' ? 'green' : d.code === 'partial' ? 'yellow' : 'red';
  out.push(
    `${paint('bold', 'Diagnosis:')} ${paint(codeStyle, d.code)}${d.hints.length ? paint('dim', `  (hints: ${d.hints.join(', ')})`) : ''}`,
  );
  out.push(...wrap(printable(d.summary), options.width, '  ', '  '));
  if (d.advice.length > 0) {
    out.push('', paint('bold', 'What to do'));
    for (const advice of d.advice)
      out.push(...wrap(printable(advice), options.width, '  - ', '    '));
  }
  tlsNotes(report.attempts).forEach((note, i) => {
    if (i === 0) out.push('', paint('bold', 'TLS'));
    out.push(...wrap(printable(note), options.width, '  - ', '    '));
  });
  return `${out.join('\n')}\n`;
}

const SOURCE_WORDS: Record<EgressSource, string> = {
  config: 'from the config',
  cloud: 'from the cloud metadata',
  greeting: 'named by a mail server',
  local: 'local source address',
};

/** Each address with where it was learnt and its PTR, then one line per DNSBL zone. */
function egressLines(
  addresses: EgressAddress[],
  paint: (style: Style, text: string) => string,
): string[] {
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
  return wrap(
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
        `${a.host} ${a.address}:${a.port} ${a.tls?.protocol ?? 'TLS'}: certificate not trusted (${a.tls?.authorizationError ?? 'unknown'})${a.tls?.validTo ? `, valid to ${a.tls.validTo}` : ''}`,
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
    default: {
      const never: never = result;
      return never;
    }
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

/** Word-wraps text to width with a first-line and a following-line prefix. */
export function wrap(text: string, width: number, first: string, rest: string): string[] {
  const lines: string[] = [];
  let line = first;
  let empty = true;
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (!empty && line.length + 1 + word.length > width) {
      lines.push(line);
      line = rest + word;
    } else {
      line += (empty ? '' : ' ') + word;
    }
    empty = false;
  }
  lines.push(line);
  return lines;
}
