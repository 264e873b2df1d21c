// What the program knows about itself: its version, its build (git revision and date) and the
// built-in probe set. Run from source or from dist/, they come from files of the package
// (package.json, probes/default.yaml), found by walking up from this module, and from git when
// the package is a checkout. The bundle and the single executable have no files beside them,
// so packaging/bundle.mjs embeds all of it at build time as MXPROBE_EMBEDDED.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface Embedded {
  version: string;
  defaultProbeSet: string;
  /** The commit the executable was built from, and the release time (SOURCE_DATE_EPOCH). */
  revision: string;
  buildDate: string;
}

// Defined by the bundler (esbuild `define`); undeclared when run from source or from dist/.
declare const MXPROBE_EMBEDDED: Embedded | undefined;

interface Self {
  /**
   * The directory holding package.json, where git is asked for the build; undefined when
   * embedded (no files beside it).
   */
  root: string | undefined;
  version: string;
  build: Build | undefined;
  /** The built-in probe set: a file of the package, or a name when it is embedded. */
  defaultProbeSet: string;
  /** Its text when embedded; read from `defaultProbeSet` otherwise. */
  defaultProbeSetText: string | undefined;
}

/** The directory holding package.json: one level above src/, two above dist/src/. */
function findPackageRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return from;
  }
}

function fromPackageFiles(): Self {
  // import.meta.url is only read here: the CommonJS bundle has none and never gets here.
  const root = findPackageRoot(dirname(fileURLToPath(import.meta.url)));
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    version: string;
  };
  return {
    root,
    version: manifest.version,
    build: undefined,
    defaultProbeSet: join(root, 'probes', 'default.yaml'),
    defaultProbeSetText: undefined,
  };
}

const self: Self =
  typeof MXPROBE_EMBEDDED === 'undefined'
    ? fromPackageFiles()
    : {
        root: undefined,
        version: MXPROBE_EMBEDDED.version,
        build: { revision: MXPROBE_EMBEDDED.revision, date: MXPROBE_EMBEDDED.buildDate },
        defaultProbeSet: 'probes/default.yaml (built in)',
        defaultProbeSetText: MXPROBE_EMBEDDED.defaultProbeSet,
      };

export const PACKAGE_ROOT = self.root;
export const VERSION = self.version;
export const DEFAULT_PROBE_SET = self.defaultProbeSet;
export const DEFAULT_PROBE_SET_TEXT = self.defaultProbeSetText;

export interface Build {
  /** The git commit (12 hex digits), or "unknown". */
  revision: string;
  /** When it was built (the commit's time for a checkout), ISO 8601 in UTC, or "unknown". */
  date: string;
}

/** The last commit of a checkout, asked of git once; "unknown" without git or a checkout. */
function buildFromGit(root: string): Build {
  try {
    const [revision = '', seconds = ''] = execFileSync('git', ['log', '-1', '--format=%H %ct'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 2000,
    })
      .trim()
      .split(' ');
    const date = new Date(Number(seconds) * 1000);
    if (!/^[0-9a-f]{40}$/.test(revision) || Number.isNaN(date.getTime())) throw new Error();
    return { revision: revision.slice(0, 12), date: date.toISOString() };
  } catch {
    return { revision: 'unknown', date: 'unknown' };
  }
}

/** The build of this program: embedded in the executable, else read from git on first use. */
export function buildInfo(): Build {
  self.build ??= buildFromGit(self.root ?? '.');
  return self.build;
}

/** What `mxprobe --version` prints, in the form Prometheus exporters use. */
export function versionText(): string {
  const { revision, date } = buildInfo();
  return (
    `mxprobe, version ${VERSION} (revision: ${revision})\n` +
    `  build date:       ${date}\n` +
    `  node.js version:  ${process.version}\n` +
    `  platform:         ${process.platform}/${process.arch}\n`
  );
}
