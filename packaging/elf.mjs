// What an executable asks of the system, read from its ELF headers with readelf (which reads any
// architecture): the shared libraries, the symbol versions it needs from each, and its program
// interpreter. The packages' dependencies and the container image's libraries come from here,
// not from the build machine: the floor is what the binary needs, not what the builder has.
import { run } from './run.mjs';

/**
 * `readelf -V` → { 'libc.so.6': ['GLIBC_2.17', …], … }: the versions needed, by library.
 * @param {string} text
 * @returns {Record<string, string[]>}
 */
export function parseVersionNeeds(text) {
  const needs = {};
  let library;
  for (const line of text.split('\n')) {
    const file = /\bFile: (\S+)/.exec(line);
    if (file?.[1]) {
      library = file[1];
      needs[library] ??= [];
      continue;
    }
    const name = /\bName: (\S+)/.exec(line);
    if (name?.[1] && library) needs[library].push(name[1]);
  }
  return needs;
}

/** Compares dotted versions numerically ('2.9' < '2.28'). */
export function compareVersions(a, b) {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i += 1) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** The highest `<prefix>x.y` among the versions, as 'x.y', or undefined. */
export function highestVersion(versions, prefix) {
  return versions
    .filter((v) => v.startsWith(prefix) && /^[\d.]+$/.test(v.slice(prefix.length)))
    .map((v) => v.slice(prefix.length))
    .sort(compareVersions)
    .at(-1);
}

/** The glibc release the executable needs at least: its highest GLIBC_x.y symbol version. */
export function glibcFloor(needs) {
  const floor = highestVersion(Object.values(needs).flat(), 'GLIBC_');
  if (!floor) throw new Error('the executable needs no GLIBC_ symbol version: not a glibc binary?');
  return floor;
}

/**
 * libstdc++'s GLIBCXX_3.4.N → the first GCC release that ships it (the libstdc++ ABI history);
 * Debian's libstdc++6 and RPM-based distributions' libstdc++ carry GCC's version.
 */
const GLIBCXX_SINCE_GCC = {
  20: '4.9',
  21: '5',
  22: '6',
  23: '7',
  24: '7',
  25: '8',
  26: '9',
  27: '9',
  28: '10',
  29: '11',
  30: '12',
  31: '13',
  32: '13',
  33: '14',
};

/** The GCC release whose libstdc++ the executable needs at least. */
export function libstdcxxFloor(needs) {
  const highest = highestVersion(Object.values(needs).flat(), 'GLIBCXX_3.4.');
  if (highest === undefined) return undefined;
  const gcc = GLIBCXX_SINCE_GCC[Number(highest)];
  if (!gcc) throw new Error(`GLIBCXX_3.4.${highest}: add the GCC release that brought it`);
  return gcc;
}

/** @param {string} executable */
export function versionNeeds(executable) {
  return parseVersionNeeds(run('readelf', ['--version-info', '--wide', executable]));
}

/** The program interpreter (the dynamic loader) the executable names, e.g. /lib64/ld-linux-x86-64.so.2. */
export function interpreter(executable) {
  const match = /program interpreter: ([^\]]+)\]/.exec(
    run('readelf', ['-l', '--wide', executable]),
  );
  if (!match?.[1]) throw new Error(`${executable} names no program interpreter`);
  return match[1];
}

/** The shared libraries (DT_NEEDED) the executable loads. */
export function neededLibraries(executable) {
  const out = run('readelf', ['-d', '--wide', executable]);
  return [...out.matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1]);
}

/**
 * The Debian Depends for the executable: libc6 from the glibc floor, libstdc++6 from the
 * libstdc++ floor, and libgcc-s1 (libgcc1 before Debian 11 and Ubuntu 20.04).
 */
export function debianDepends(needs) {
  const depends = [`libc6 (>= ${glibcFloor(needs)})`];
  if (needs['libgcc_s.so.1']) depends.push('libgcc-s1 | libgcc1');
  const gcc = libstdcxxFloor(needs);
  if (gcc) depends.push(`libstdc++6 (>= ${gcc})`);
  return depends.join(', ');
}
