// The parts of `npm run package` that need no release/ (packaging/): the glibc floor read from an executable's
// symbol versions, and the tar writer behind the container image, which must give the same
// bytes every run. The artifacts themselves are checked by scripts/check-deploy-release.sh.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

interface Elf {
  parseVersionNeeds(text: string): Record<string, string[]>;
  glibcFloor(needs: Record<string, string[]>): string;
  debianDepends(needs: Record<string, string[]>): string;
}
interface Tar {
  tarArchive(entries: object[], mtime: number): Buffer;
}
// Through a variable: the packaging modules are plain JavaScript without type declarations.
const packaging = join(import.meta.dirname, '..', '..', 'packaging');
const elfPath = join(packaging, 'elf.mjs');
const tarPath = join(packaging, 'tar.mjs');
const elf = (await import(elfPath)) as Elf;
const tar = (await import(tarPath)) as Tar;

// What `readelf --version-info` prints for the .gnu.version_r section of Node.js 20 (abridged).
const READELF = `Version needs section '.gnu.version_r' contains 4 entries:
 Addr: 0x0000000000c5d2f8  Offset: 0x00c5d2f8  Link: 7 (.dynstr)
  000000: Version: 1  File: libstdc++.so.6  Cnt: 3
  0x0010:   Name: GLIBCXX_3.4.21  Flags: none  Version: 14
  0x0020:   Name: CXXABI_1.3.9  Flags: none  Version: 13
  0x0030:   Name: GLIBCXX_3.4.9  Flags: none  Version: 12
  0x0040: Version: 1  File: libgcc_s.so.1  Cnt: 1
  0x0050:   Name: GCC_3.0  Flags: none  Version: 11
  0x0060: Version: 1  File: libm.so.6  Cnt: 2
  0x0070:   Name: GLIBC_2.27  Flags: none  Version: 10
  0x0080:   Name: GLIBC_2.2.5  Flags: none  Version: 9
  0x0090: Version: 1  File: libc.so.6  Cnt: 3
  0x00a0:   Name: GLIBC_2.9  Flags: none  Version: 8
  0x00b0:   Name: GLIBC_2.28  Flags: none  Version: 7
  0x00c0:   Name: GLIBC_2.17  Flags: none  Version: 6
`;

describe('the glibc floor comes from the executable', () => {
  it('is the highest GLIBC_ version any library is asked for, compared as numbers (2.9 < 2.28)', () => {
    const needs = elf.parseVersionNeeds(READELF);
    expect(Object.keys(needs)).toEqual([
      'libstdc++.so.6',
      'libgcc_s.so.1',
      'libm.so.6',
      'libc.so.6',
    ]);
    expect(elf.glibcFloor(needs)).toBe('2.28');
  });

  it('gives the Debian Depends: libc6 from the floor, libstdc++6 from GLIBCXX_3.4.21 (GCC 5)', () => {
    expect(elf.debianDepends(elf.parseVersionNeeds(READELF))).toBe(
      'libc6 (>= 2.28), libgcc-s1 | libgcc1, libstdc++6 (>= 5)',
    );
  });

  it('refuses a binary that names no glibc version instead of declaring no floor', () => {
    expect(() =>
      elf.glibcFloor(elf.parseVersionNeeds('  000000: Version: 1  File: libz.so.1')),
    ).toThrow(/no GLIBC_/);
  });
});

describe('the tar writer', () => {
  const entries = [
    { path: 'etc', directory: true },
    { path: 'etc/passwd', content: 'mxprobe:x:65532:65532::/nonexistent:/sbin/nologin\n' },
    { path: 'usr/bin/mxprobe', mode: 0o755, content: Buffer.alloc(1000, 7) },
    { path: 'lib64/ld.so', symlink: '/lib/x86_64-linux-gnu/ld.so' },
  ];

  it('writes the same bytes for the same entries and time', () => {
    expect(
      tar.tarArchive(entries, 1_700_000_000).equals(tar.tarArchive(entries, 1_700_000_000)),
    ).toBe(true);
    expect(
      tar.tarArchive(entries, 1_700_000_000).equals(tar.tarArchive(entries, 1_700_000_001)),
    ).toBe(false);
  });

  it('is read back by GNU tar with the modes, owners, link and time given', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mxprobe-tar-'));
    try {
      const file = join(dir, 'layer.tar');
      writeFileSync(file, tar.tarArchive(entries, 1_700_000_000));
      const listing = execFileSync('tar', ['--numeric-owner', '--full-time', '-tvf', file], {
        encoding: 'utf8',
        env: { ...process.env, TZ: 'UTC' },
      })
        .trim()
        .split('\n');
      expect(listing).toHaveLength(4);
      expect(listing[0]).toMatch(/^drwxr-xr-x 0\/0 +0 2023-11-14 22:13:20 etc\/$/);
      expect(listing[2]).toMatch(/^-rwxr-xr-x 0\/0 +1000 2023-11-14 22:13:20 usr\/bin\/mxprobe$/);
      expect(listing[3]).toMatch(/ lib64\/ld\.so -> \/lib\/x86_64-linux-gnu\/ld\.so$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
