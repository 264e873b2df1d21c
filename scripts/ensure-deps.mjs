// Makes a fresh clone ready to run: npm packages from the lock file, and, for root, the
// Debian packages the lab and the deployment checks use. Used by `npm test` and `npm run lab`
// so that each works as the first command on a new machine.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { withServicesHeld } from './hold-services.mjs';

/** Debian packages and one command each provides, to tell whether it is installed. */
export const APT_PACKAGES = {
  iproute2: 'ip',
  nftables: 'nft',
  'dnsmasq-base': 'dnsmasq',
  openssl: 'openssl',
  prometheus: 'prometheus',
  'prometheus-blackbox-exporter': 'prometheus-blackbox-exporter',
  'prometheus-alertmanager': 'amtool',
  nmap: 'nmap',
  swaks: 'swaks',
  'netcat-openbsd': 'nc',
  systemd: 'systemd-analyze',
  // The system tests boot systemd in a container (systemd-nspawn); `npm run package` and the
  // deployment checks build and lint the Debian package.
  'systemd-container': 'systemd-nspawn',
  'dpkg-dev': 'dpkg-shlibdeps',
  binutils: 'strip',
  help2man: 'help2man',
  lintian: 'lintian',
  // The delivery canary's root tests read mail back from a real IMAP server.
  'dovecot-imapd': 'dovecot',
  // The system tests install the RPM inside the container too (its scriptlets under systemd).
  rpm: 'rpm',
};

/** What scripts/check-deploy-release.sh runs on the artifacts: qemu-user, rpmlint, podman. */
export const RELEASE_CHECK_TOOLS = {
  'qemu-user-static': 'qemu-aarch64-static',
  rpm: 'rpm',
  rpmlint: 'rpmlint',
  podman: 'podman',
};

/** The services the Debian packages above bring, which the tests, lab and bench run themselves. */
const SERVICE_UNITS = [
  'prometheus',
  'prometheus-node-exporter',
  'prometheus-blackbox-exporter',
  'prometheus-alertmanager',
];

function unitExists(unit) {
  if (!hasCommand('systemctl')) return false;
  return spawnSync('systemctl', ['cat', `${unit}.service`], { stdio: 'ignore' }).status === 0;
}

export function hasCommand(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

export function missingAptPackages(packages = APT_PACKAGES) {
  return Object.entries(packages)
    .filter(([, command]) => !hasCommand(command) && !existsSync(`/usr/sbin/${command}`))
    .map(([name]) => name);
}

export function isRoot() {
  return process.getuid?.() === 0;
}

function log(message) {
  process.stderr.write(`setup: ${message}\n`);
}

export function ensureNodeModules() {
  const stamp = 'node_modules/.package-lock.json';
  if (existsSync(stamp) && statSync(stamp).mtimeMs >= statSync('package-lock.json').mtimeMs) return;
  log('installing npm packages (npm ci)');
  execFileSync('npm', ['ci', '--no-audit', '--no-fund'], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}

/** Installs missing Debian packages when root; returns what is still missing. */
export function ensureAptPackages(packages = APT_PACKAGES) {
  let missing = missingAptPackages(packages);
  if (missing.length === 0 || !isRoot() || !hasCommand('apt-get')) return missing;
  log(`installing ${missing.join(' ')} (apt-get)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () =>
    spawnSync('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...missing], {
      stdio: ['ignore', 'inherit', 'inherit'],
      env,
    }).status;
  // The packages' services (prometheus and its exporters) must not start: the tests, the lab and
  // the bench run their own, and a service that was running before is left as it was.
  const unitsBefore = SERVICE_UNITS.filter(unitExists);
  withServicesHeld(() => {
    if (install() !== 0) {
      spawnSync('apt-get', ['update', '-q'], { stdio: ['ignore', 'inherit', 'inherit'], env });
      install();
    }
  });
  // A unit these packages brought stays off at the next boot too; one that was there is not ours.
  for (const unit of SERVICE_UNITS.filter((u) => !unitsBefore.includes(u) && unitExists(u)))
    spawnSync('systemctl', ['disable', unit], { stdio: 'ignore' });
  missing = missingAptPackages(packages);
  return missing;
}

export function build() {
  log('building (tsc)');
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}
