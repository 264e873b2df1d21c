// A tar archive (POSIX ustar) written byte for byte the same on every run: entries in the order
// given, every time the release's, owner and group given by number with no names. The container
// image's layer and its OCI archive are made with it, so their digests repeat across builds.
import { Buffer } from 'node:buffer';

const BLOCK = 512;

function octal(value, width) {
  return `${value.toString(8).padStart(width - 1, '0')}\0`;
}

/** ustar keeps names of up to 100 bytes, or 155 + 100 split at a slash. */
function splitName(name) {
  if (Buffer.byteLength(name) <= 100) return { name, prefix: '' };
  const cut = name.lastIndexOf('/', 155);
  if (cut <= 0 || Buffer.byteLength(name.slice(cut + 1)) > 100) {
    throw new Error(`tar: the path ${name} is too long for ustar`);
  }
  return { name: name.slice(cut + 1), prefix: name.slice(0, cut) };
}

function header({ path, type, size, mode, uid, gid, mtime, linkname }) {
  const block = Buffer.alloc(BLOCK);
  const { name, prefix } = splitName(path);
  const field = (text, offset, width) => block.write(text, offset, width, 'utf8');
  field(name, 0, 100);
  field(octal(mode, 8), 100, 8);
  field(octal(uid, 8), 108, 8);
  field(octal(gid, 8), 116, 8);
  field(octal(size, 12), 124, 12);
  field(octal(mtime, 12), 136, 12);
  field('        ', 148, 8);
  field(type, 156, 1);
  field(linkname ?? '', 157, 100);
  field('ustar\0', 257, 6);
  field('00', 263, 2);
  field(prefix, 345, 155);
  let sum = 0;
  for (const byte of block) sum += byte;
  field(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8);
  return block;
}

/**
 * @typedef {{ path: string, mode?: number, uid?: number, gid?: number } &
 *   ({ content: Buffer | string } | { directory: true } | { symlink: string })} TarEntry
 * @param {TarEntry[]} entries paths without a leading slash; directories end without one
 * @param {number} mtime seconds since the epoch, for every entry
 * @returns {Buffer}
 */
export function tarArchive(entries, mtime) {
  const parts = [];
  for (const entry of entries) {
    const common = { mtime, uid: entry.uid ?? 0, gid: entry.gid ?? 0 };
    if ('directory' in entry) {
      parts.push(
        header({
          ...common,
          path: `${entry.path}/`,
          type: '5',
          size: 0,
          mode: entry.mode ?? 0o755,
        }),
      );
    } else if ('symlink' in entry) {
      parts.push(
        header({
          ...common,
          path: entry.path,
          type: '2',
          size: 0,
          mode: 0o777,
          linkname: entry.symlink,
        }),
      );
    } else {
      const content = Buffer.from(entry.content);
      parts.push(
        header({
          ...common,
          path: entry.path,
          type: '0',
          size: content.length,
          mode: entry.mode ?? 0o644,
        }),
      );
      parts.push(content, Buffer.alloc((BLOCK - (content.length % BLOCK)) % BLOCK));
    }
  }
  parts.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(parts);
}
