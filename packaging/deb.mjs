// The Debian package, built with dpkg-deb from a staged tree:
//   /usr/bin/mxprobe                          the single executable
//   /usr/lib/systemd/system/mxprobe.service   systemd/mxprobe.service with /usr/bin paths
//   /etc/mxprobe/config.yaml                  the built-in probe set, a conffile
//   /etc/default/mxprobe                      extra arguments for the service, a conffile
//   /usr/share/doc/mxprobe/                   README.md, docs/, deploy/, copyright, changelog.gz
// and the maintainer scripts in packaging/debian/. The Depends come from the executable's own
// symbol versions (packaging/elf.mjs), not from the build machine's libraries.
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';
import { dirname, join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import { copyrightFile } from './copyright.mjs';
import { debianDepends, versionNeeds } from './elf.mjs';
import { run } from './run.mjs';

const MAINTAINER_SCRIPTS = ['postinst', 'prerm', 'postrm'];
export const CONFIG = '/etc/mxprobe/config.yaml';
/** The directories of the repository that the README links to, installed beside it. */
export const DOC_TREES = ['docs', 'deploy'];
export const SUMMARY = 'outbound SMTP egress probe and Prometheus exporter';
export const DESCRIPTION = `mxprobe tells whether outbound SMTP (ports 25, 587, 465) leaves this
machine: each connection is reachable (a mail server greeted), blocked
(something said no) or filtered (nothing answered), and the pattern is
diagnosed with advice. It runs once (mxprobe probe --once) or as a
Prometheus exporter serving /metrics on :9725.

This package runs the exporter as the systemd service mxprobe.service with
the config ${CONFIG}. The executable is a Node.js single
executable application: it needs no Node.js installation.`;

/** npm's 1.2.0-rc.1 sorts before 1.2.0; Debian needs 1.2.0~rc.1 for the same order. */
export function debianVersion(version) {
  const [release, ...prerelease] = version.split('-');
  return prerelease.length > 0 ? `${release}~${prerelease.join('-')}` : version;
}

/** Debian's name for the machine this Node.js runs on (the executable is this Node.js). */
export function debianArchitecture(arch = process.arch) {
  const names = { x64: 'amd64', arm64: 'arm64', arm: 'armhf', ppc64: 'ppc64el', s390x: 's390x' };
  const name = names[arch];
  if (!name) throw new Error(`no Debian architecture for Node.js arch ${arch}`);
  return name;
}

/**
 * The unit as the package installs it: one source (systemd/mxprobe.service, written for the npm
 * install under /usr/local), with the paths of the package. Each rewrite must apply exactly once,
 * so a changed source unit stops the build instead of shipping a wrong path.
 */
export function packagedUnit(
  unit,
  { packageKind = 'Debian', environmentFile = '/etc/default/mxprobe' } = {},
) {
  const rewrites = [
    [
      /^# Installed by systemd\/install\.sh; (.*)$/m,
      `# Installed by the mxprobe ${packageKind} package; $1`,
    ],
    [
      /^Documentation=file:\/\/\/usr\/local\/lib\/node_modules\/mxprobe\/README\.md$/m,
      'Documentation=man:mxprobe(1)\nDocumentation=file:///usr/share/doc/mxprobe/README.md',
    ],
    [/^EnvironmentFile=-\/etc\/default\/mxprobe$/m, `EnvironmentFile=-${environmentFile}`],
    [/^ExecStart=\/usr\/local\/bin\/mxprobe /m, 'ExecStart=/usr/bin/mxprobe '],
  ];
  let text = unit;
  for (const [pattern, replacement] of rewrites) {
    const matches = text.match(new RegExp(pattern.source, 'gm'))?.length ?? 0;
    if (matches !== 1) {
      throw new Error(
        `systemd/mxprobe.service: expected one line matching ${pattern}, found ${matches}`,
      );
    }
    text = text.replace(pattern, replacement);
  }
  if (text.includes('/usr/local/')) {
    throw new Error('systemd/mxprobe.service: a /usr/local path is left after the rewrites');
  }
  return text;
}

/** DEBFULLNAME/DEBEMAIL as Debian's tools read them, else package.json's author, else git's. */
export function maintainer(manifest) {
  const { DEBFULLNAME, DEBEMAIL } = process.env;
  if (DEBFULLNAME && DEBEMAIL) return `${DEBFULLNAME} <${DEBEMAIL}>`;
  if (typeof manifest.author === 'string' && manifest.author.includes('<')) return manifest.author;
  if (manifest.author?.name && manifest.author?.email) {
    return `${manifest.author.name} <${manifest.author.email}>`;
  }
  try {
    return execFileSync('git', ['log', '-1', '--format=%an <%ae>'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('no maintainer: set DEBFULLNAME and DEBEMAIL (or "author" in package.json)');
  }
}

function rfc2822(date) {
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = [
    'Jan',
    'Feb',
    'Mar',
    'Apr',
    'May',
    'Jun',
    'Jul',
    'Aug',
    'Sep',
    'Oct',
    'Nov',
    'Dec',
  ];
  const two = (n) => String(n).padStart(2, '0');
  return (
    `${days[date.getUTCDay()]}, ${two(date.getUTCDate())} ${months[date.getUTCMonth()]} ` +
    `${date.getUTCFullYear()} ${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:` +
    `${two(date.getUTCSeconds())} +0000`
  );
}

/** The text of /etc/default/mxprobe (Debian) and /etc/sysconfig/mxprobe (RPM). */
export function environmentFileText(path) {
  return `# Extra arguments for mxprobe.service, which reads this file (EnvironmentFile=-${path}).
# Restart the service after a change: systemctl restart mxprobe
# For example, serve /metrics on loopback only:
#   MXPROBE_ARGS="--web.listen-address=127.0.0.1:9725"
MXPROBE_ARGS=""
`;
}

/** Every file of the repository's docs/ and deploy/, as [path under them, repository path]. */
export function docTreeFiles() {
  return DOC_TREES.flatMap((tree) => filesUnder(tree)).sort();
}

export function filesUnder(dir) {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

export function place(root, path, content, mode = 0o644) {
  const file = join(root, path);
  mkdirSync(dirname(file), { recursive: true, mode: 0o755 });
  if (typeof content === 'string' || Buffer.isBuffer(content)) writeFileSync(file, content);
  else copyFileSync(content.from, file);
  chmodSync(file, mode);
}

/**
 * @param {{ manifest: { name: string, version: string }, executable: string, arch: string,
 *   epoch: number, metafile: string, manPage: Buffer, workDir: string, outDir: string }} options
 * @returns {string} the path of the .deb
 */
export function buildDeb({
  manifest,
  executable,
  arch,
  epoch,
  metafile,
  manPage,
  workDir,
  outDir,
}) {
  const version = debianVersion(manifest.version);
  const architecture = debianArchitecture(arch);
  const who = maintainer(manifest);
  const root = join(workDir, `deb-${architecture}`);
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { mode: 0o755 });

  place(root, 'usr/bin/mxprobe', { from: executable }, 0o755);
  place(
    root,
    'usr/lib/systemd/system/mxprobe.service',
    packagedUnit(readFileSync('systemd/mxprobe.service', 'utf8')),
  );
  place(root, CONFIG.slice(1), { from: 'probes/default.yaml' });
  place(root, 'etc/default/mxprobe', environmentFileText('/etc/default/mxprobe'));
  const doc = 'usr/share/doc/mxprobe';
  place(root, `${doc}/README.md`, { from: 'README.md' });
  for (const file of docTreeFiles()) place(root, `${doc}/${file}`, { from: file });
  place(root, `${doc}/copyright`, copyrightFile({ metafile }));
  const changelog =
    `mxprobe (${version}) unstable; urgency=medium\n\n` +
    `  * Release ${manifest.version}.\n\n` +
    ` -- ${who}  ${rfc2822(new Date(epoch * 1000))}\n`;
  // gzip -9n: the maximum compression, without a name or time in the header (Policy 12.7).
  place(root, `${doc}/changelog.gz`, gzipSync(changelog, { level: 9 }));
  place(root, 'usr/share/man/man1/mxprobe.1.gz', manPage);
  place(root, 'usr/share/lintian/overrides/mxprobe', {
    from: join('packaging', 'debian', 'lintian-overrides'),
  });

  const payload = filesUnder(root);
  const installedKiB = payload.reduce(
    (sum, file) => sum + Math.ceil(statSync(file).size / 1024),
    0,
  );
  const md5sums = payload
    .map((file) => {
      const md5 = createHash('md5').update(readFileSync(file)).digest('hex');
      return `${md5}  ${relative(root, file)}\n`;
    })
    .join('');

  const control = [
    `Package: mxprobe`,
    `Version: ${version}`,
    `Architecture: ${architecture}`,
    `Maintainer: ${who}`,
    `Installed-Size: ${installedKiB}`,
    `Depends: ${debianDepends(versionNeeds(executable))}`,
    `Section: net`,
    `Priority: optional`,
    `Description: ${SUMMARY}`,
    ...DESCRIPTION.split('\n').map((line) => (line === '' ? ' .' : ` ${line}`)),
  ].join('\n');
  place(root, 'DEBIAN/control', `${control}\n`);
  place(root, 'DEBIAN/conffiles', `${CONFIG}\n/etc/default/mxprobe\n`);
  place(root, 'DEBIAN/md5sums', md5sums);
  for (const script of MAINTAINER_SCRIPTS) {
    place(root, `DEBIAN/${script}`, { from: join('packaging', 'debian', script) }, 0o755);
  }

  const deb = join(outDir, `mxprobe_${version}_${architecture}.deb`);
  // --root-owner-group: every file root:root without fakeroot; gzip: what every dpkg reads, and
  // several times faster to build than xz for 10 MB more.
  run('dpkg-deb', ['--root-owner-group', '-Zgzip', '-z6', '--build', root, deb]);
  return deb;
}
