// What the program knows about itself: its version and the built-in probe set. Run from source
// or from dist/, both come from files of the package (package.json, probes/default.yaml), found
// by walking up from this module. The bundle and the single executable have no files beside
// them, so packaging/bundle.mjs embeds both at build time as MXPROBE_EMBEDDED.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface Embedded {
  version: string;
  defaultProbeSet: string;
}

// Defined by the bundler (esbuild `define`); undeclared when run from source or from dist/.
declare const MXPROBE_EMBEDDED: Embedded | undefined;

interface Self {
  /** The directory holding package.json; undefined when embedded (no files beside it). */
  root: string | undefined;
  version: string;
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
        defaultProbeSet: 'probes/default.yaml (built in)',
        defaultProbeSetText: MXPROBE_EMBEDDED.defaultProbeSet,
      };

export const PACKAGE_ROOT = self.root;
export const VERSION = self.version;
export const DEFAULT_PROBE_SET = self.defaultProbeSet;
export const DEFAULT_PROBE_SET_TEXT = self.defaultProbeSetText;
