// The RPM package (Amazon Linux 2023, RHEL, Rocky, Alma, Oracle Linux, Fedora), built with
// rpmbuild from a staged tree, for x86_64 or aarch64 whatever machine builds it:
//   /usr/bin/mxprobe                          the single executable
//   /usr/lib/systemd/system/mxprobe.service   the unit, reading /etc/sysconfig/mxprobe
//   /etc/mxprobe/config.yaml                  the built-in probe set, %config(noreplace)
//   /etc/sysconfig/mxprobe                    extra arguments for the service, %config(noreplace)
//   /usr/share/doc/mxprobe/                   README.md, docs/, deploy/ (and the licence)
// Its scriptlets do what the systemd RPM macros do: preset on installation, try-restart on
// upgrade, disable and stop on erase. Requires: the glibc floor read from the executable, and
// the libraries with their symbol versions that rpm's own ELF scanner finds in it.
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { copyrightFile } from './copyright.mjs';
import {
  CONFIG,
  DESCRIPTION,
  docTreeFiles,
  environmentFileText,
  maintainer,
  packagedUnit,
  place,
} from './deb.mjs';
import { glibcFloor, versionNeeds } from './elf.mjs';
import { run } from './run.mjs';

const SYSCONFIG = '/etc/sysconfig/mxprobe';
const RPM_ARCH = { x64: 'x86_64', arm64: 'aarch64' };

/** npm's 1.2.0-rc.1 → RPM's 1.2.0~rc.1 (a tilde sorts before the release, as in Debian). */
export function rpmVersion(version) {
  return version.replace('-', '~').replace(/-/g, '.');
}

/** "Wed Dec 02 2026": the release's date in the form %changelog wants. */
function changelogDate(epoch) {
  const [day, date, month, year] = new Date(epoch * 1000).toUTCString().replace(',', '').split(' ');
  return `${day} ${month} ${date} ${year}`;
}

function stage({ root, executable, metafile, manPage }) {
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  place(root, 'usr/bin/mxprobe', { from: executable }, 0o755);
  const unit = packagedUnit(readFileSync('systemd/mxprobe.service', 'utf8'), {
    packageKind: 'RPM',
    environmentFile: SYSCONFIG,
  });
  place(root, 'usr/lib/systemd/system/mxprobe.service', unit);
  place(root, CONFIG.slice(1), { from: 'probes/default.yaml' });
  place(root, SYSCONFIG.slice(1), environmentFileText(SYSCONFIG));
  place(root, 'usr/share/doc/mxprobe/README.md', { from: 'README.md' });
  place(root, 'usr/share/doc/mxprobe/copyright', copyrightFile({ metafile }));
  for (const file of docTreeFiles()) place(root, `usr/share/doc/mxprobe/${file}`, { from: file });
  place(root, 'usr/share/licenses/mxprobe/LICENSE', { from: 'LICENSE' });
  place(root, 'usr/share/man/man1/mxprobe.1.gz', manPage);
}

const SCRIPTLETS = `%post
# %systemd_post: enable or not as the system's presets say, on the first installation only.
if [ $1 -eq 1 ] && [ -x /usr/bin/systemctl ]; then
    /usr/bin/systemctl daemon-reload >/dev/null 2>&1 || :
    /usr/bin/systemctl --no-reload preset mxprobe.service >/dev/null 2>&1 || :
fi

%preun
# %systemd_preun: on erase (not on upgrade), disable and stop the service.
if [ $1 -eq 0 ] && [ -x /usr/bin/systemctl ]; then
    /usr/bin/systemctl --no-reload disable --now mxprobe.service >/dev/null 2>&1 || :
fi

%postun
# %systemd_postun_with_restart: systemd forgets the old unit; an upgrade restarts a running service.
if [ -x /usr/bin/systemctl ]; then
    /usr/bin/systemctl daemon-reload >/dev/null 2>&1 || :
    if [ $1 -ge 1 ]; then
        /usr/bin/systemctl try-restart mxprobe.service >/dev/null 2>&1 || :
    fi
fi
`;

function specFile({ manifest, glibc, epoch, staged }) {
  return `Name: mxprobe
Version: ${rpmVersion(manifest.version)}
Release: 1
Summary: Outbound SMTP egress probe and Prometheus exporter
Group: System Environment/Daemons
Packager: ${maintainer(manifest)}
License: ${manifest.license}
URL: https://www.npmjs.com/package/mxprobe
Requires: glibc >= ${glibc}

%description
${DESCRIPTION.replace(`config ${CONFIG}`, `config ${CONFIG} and the\nextra arguments in ${SYSCONFIG}`)}

%prep

%build

%install
cp -a ${staged}/. %{buildroot}/

${SCRIPTLETS}
%files
%attr(0755,root,root) /usr/bin/mxprobe
/usr/lib/systemd/system/mxprobe.service
%dir /etc/mxprobe
%config(noreplace) ${CONFIG}
%config(noreplace) ${SYSCONFIG}
%doc /usr/share/doc/mxprobe
%license /usr/share/licenses/mxprobe/LICENSE
/usr/share/man/man1/mxprobe.1.gz

%changelog
* ${changelogDate(epoch)} ${maintainer(manifest)} - ${rpmVersion(manifest.version)}-1
- Release ${manifest.version}.
`;
}

/**
 * @param {{ manifest: { version: string, license: string }, executable: string, arch: string,
 *   epoch: number, metafile: string, manPage: Buffer, workDir: string, outDir: string }} options
 * @returns {string} the path of the .rpm
 */
export function buildRpm({
  manifest,
  executable,
  arch,
  epoch,
  metafile,
  manPage,
  workDir,
  outDir,
}) {
  const rpmArch = RPM_ARCH[arch];
  const top = resolve(workDir, `rpm-${rpmArch}`);
  const staged = join(top, 'staged');
  rmSync(top, { recursive: true, force: true });
  stage({ root: staged, executable, metafile, manPage });
  const glibc = glibcFloor(versionNeeds(executable));
  const spec = join(top, 'mxprobe.spec');
  writeFileSync(spec, specFile({ manifest, glibc, epoch, staged }));
  const defines = {
    _topdir: top,
    // Reproducible: the release time for the build time and every file's, a fixed build host.
    use_source_date_epoch_as_buildtime: '1',
    clamp_mtime_to_source_date_epoch: '1',
    _buildhost: 'mxprobe-release',
    // The executable is stripped already, and a foreign architecture's strip is not rpm's:
    // no debug package, no build-id links, no post-install processing.
    debug_package: '%{nil}',
    _build_id_links: 'none',
    __os_install_post: '%{nil}',
    // gzip: every rpm reads it, and it builds several times faster than xz.
    _binary_payload: 'w6.gzdio',
  };
  run(
    'rpmbuild',
    [
      '-bb',
      '--target',
      `${rpmArch}-linux`,
      ...Object.entries(defines).flatMap(([k, v]) => ['--define', `${k} ${v}`]),
      spec,
    ],
    { env: { ...process.env, SOURCE_DATE_EPOCH: String(epoch), LC_ALL: 'C' } },
  );
  const name = `mxprobe-${rpmVersion(manifest.version)}-1.${rpmArch}.rpm`;
  const rpm = join(outDir, name);
  renameSync(join(top, 'RPMS', rpmArch, name), rpm);
  return rpm;
}
