// SPF macro expansion (RFC 7208 §7): %{s} %{l} %{o} %{d} %{i} %{p} %{v} %{h} with their
// transformers (a number of right-hand parts to keep, `r` to reverse, delimiters), %% %_ %-,
// and upper-case letters URL-escaped. Pure. %{p} is "unknown": the RFC advises against it, and
// a lookup per expansion would break the lookup limit's accounting.

import { expandIpv6, type IpAddress } from '../util/ip.js';

export interface MacroContext {
  /** The envelope sender `local@domain`. */
  sender: string;
  /** The domain being checked now (changes with include and redirect). */
  domain: string;
  ip: IpAddress;
  helo: string;
}

export type Expanded = { ok: true; name: string } | { ok: false; error: string };

const MACRO = /%(?:\{([a-z])(\d*)(r?)([.\-+,/_=]*)\}|(.))/gi;

/** Literal text, macros and the escapes %% %_ %- only (§7.1). */
const MACRO_STRING = /^(?:[^%]|%\{[a-z]\d*r?[.\-+,/_=]*\}|%[%_-])*$/i;

export function expandMacros(text: string, context: MacroContext): Expanded {
  if (!MACRO_STRING.test(text)) return { ok: false, error: `bad macro in "${text}"` };
  let error: string | undefined;
  const name = text.replace(
    MACRO,
    (
      _whole,
      letter?: string,
      digits?: string,
      reverse?: string,
      delimiters?: string,
      other?: string,
    ) => {
      if (letter === undefined) {
        if (other === '%') return '%';
        if (other === '_') return ' ';
        if (other === '-') return '%20';
        error = `bad macro "%${other ?? ''}"`;
        return '';
      }
      const value = macroValue(letter.toLowerCase(), context);
      if (value === undefined) {
        error = `unknown macro letter "${letter}"`;
        return '';
      }
      if (digits === '0') {
        error = 'a macro keeps zero parts';
        return '';
      }
      const out = transform(
        value,
        digits ?? '',
        reverse === 'r' || reverse === 'R',
        delimiters ?? '',
      );
      return letter === letter.toUpperCase() ? encodeURIComponent(out) : out;
    },
  );
  if (error !== undefined) return { ok: false, error };
  return { ok: true, name: truncateName(name) };
}

function macroValue(letter: string, c: MacroContext): string | undefined {
  const at = c.sender.lastIndexOf('@');
  switch (letter) {
    case 's':
      return c.sender;
    case 'l':
      return at > 0 ? c.sender.slice(0, at) : 'postmaster';
    case 'o':
      return c.sender.slice(at + 1);
    case 'd':
      return c.domain;
    case 'i':
      return c.ip.family === 4
        ? c.ip.address
        : expandIpv6(c.ip.address).join('').split('').join('.');
    case 'p':
      return 'unknown';
    case 'v':
      return c.ip.family === 4 ? 'in-addr' : 'ip6';
    case 'h':
      return c.helo;
    default:
      return undefined;
  }
}

function transform(value: string, digits: string, reverse: boolean, delimiters: string): string {
  const splitter = new RegExp(`[${(delimiters || '.').replace(/[-/\\^\]]/g, '\\$&')}]`);
  let parts = value.split(splitter);
  if (reverse) parts = parts.reverse();
  if (digits !== '') parts = parts.slice(-Math.min(Number(digits), parts.length));
  return parts.join('.');
}

/** §7.3: a name over 253 characters loses labels from the left until it fits. */
function truncateName(name: string): string {
  let out = name;
  while (out.length > 253 && out.includes('.')) out = out.slice(out.indexOf('.') + 1);
  return out;
}
