// A config file's bytes as text: at most DEFAULTS.maxConfigBytes are read (also from a device
// or a pipe that never ends), and only UTF-8 text is taken, so that a binary file, a UTF-16 file
// or /dev/zero is one clear line rather than a stack trace or gigabytes of memory.

import { open } from 'node:fs/promises';
import { describeErrno } from '../util/errno.js';
import { printable } from '../util/printable.js';
import { DEFAULTS } from './defaults.js';
import { ConfigError } from './error.js';

/**
 * The file's text (`what` names the kind of file in messages): at most DEFAULTS.maxConfigBytes are read (also from a device or a pipe that
 * never ends), and only UTF-8 text is taken; a byte-order mark is dropped.
 */
export async function readConfigText(path: string, what = 'config file'): Promise<string> {
  const name = printable(path);
  const limit = DEFAULTS.maxConfigBytes;
  const bytes = Buffer.alloc(limit + 1);
  let length = 0;
  try {
    const file = await open(path, 'r');
    try {
      for (;;) {
        const { bytesRead } = await file.read(bytes, length, bytes.length - length, null);
        if (bytesRead === 0) break;
        length += bytesRead;
        if (length > limit) break;
      }
    } finally {
      await file.close();
    }
  } catch (error) {
    throw new ConfigError([`${name}: cannot read ${what}: ${describeErrno(error)}`], {
      cause: error,
    });
  }
  if (length > limit) {
    throw new ConfigError([
      `${name}: the ${what} is larger than ${limit / 1_024} KiB, the most mxprobe reads${what === 'config file' ? ` (at most ${DEFAULTS.maxTargets} targets fit in far less)` : ''}`,
    ]);
  }
  return decodeText(bytes.subarray(0, length), name);
}

/** UTF-8 text, or one sentence saying what the file is instead. Pure. */
export function decodeText(bytes: Uint8Array, name: string): string {
  const nul = bytes.indexOf(0);
  if (nul >= 0) {
    const utf16 =
      (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff);
    throw new ConfigError([
      utf16
        ? `${name}: the config file is UTF-16 text; save it as UTF-8`
        : `${name}: not a text file (a NUL byte at offset ${nul}); expected a YAML config`,
    ]);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    const at = firstInvalidUtf8(bytes);
    throw new ConfigError([
      `${name}:${lineAt(bytes, at)}: not UTF-8 text (byte 0x${(bytes[at] ?? 0).toString(16).padStart(2, '0')} at offset ${at}); save the file as UTF-8`,
    ]);
  }
}

/** Where the first byte that does not start a well-formed UTF-8 sequence is. Pure. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i] ?? 0;
    const follow =
      lead < 0x80
        ? 0
        : lead >= 0xc2 && lead <= 0xdf
          ? 1
          : lead >= 0xe0 && lead <= 0xef
            ? 2
            : lead >= 0xf0 && lead <= 0xf4
              ? 3
              : -1;
    if (follow < 0) return i;
    for (let k = 1; k <= follow; k += 1) {
      if (((bytes[i + k] ?? 0) & 0xc0) !== 0x80) return i;
    }
    i += follow + 1;
  }
  return Math.max(0, bytes.length - 1);
}

function lineAt(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i += 1) if (bytes[i] === 0x0a) line += 1;
  return line;
}
