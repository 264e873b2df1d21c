// The OCI runtime config (config.json) under which scripts/check-deploy-release.sh runs the image
// with crun: `crun spec`'s default, narrowed to what the image's own config says and what the
// Kubernetes DaemonSet asks. Usage: oci-runtime-config.mjs CONFIG.JSON MXPROBE.YAML ARG...
//   - the process: /usr/bin/mxprobe ARG... as 65532:65532, no capability, no new privileges;
//   - the root read-only, the probe set mounted read-only at /etc/mxprobe/config.yaml;
//   - the host's network (as hostNetwork: true), and no cgroup, rlimit or cgroup mount: the
//     runtime makes no cgroup here (--cgroup-manager=disabled) and sets no limit.
import { readFileSync, writeFileSync } from 'node:fs';

const [file, probeSet, ...args] = process.argv.slice(2);
if (file === undefined || probeSet === undefined) {
  process.stderr.write('usage: oci-runtime-config.mjs CONFIG.JSON MXPROBE.YAML ARG...\n');
  process.exit(2);
}
const spec = JSON.parse(readFileSync(file, 'utf8'));
const none = { bounding: [], effective: [], inheritable: [], permitted: [], ambient: [] };
spec.process = {
  ...spec.process,
  terminal: false,
  args: ['/usr/bin/mxprobe', ...args],
  user: { uid: 65532, gid: 65532 },
  capabilities: none,
  noNewPrivileges: true,
};
delete spec.process.rlimits;
spec.root = { path: 'rootfs', readonly: true };
spec.mounts = [
  ...spec.mounts.filter((m) => m.type !== 'cgroup' && m.destination !== '/sys/fs/cgroup'),
  {
    destination: '/etc/mxprobe/config.yaml',
    type: 'bind',
    source: probeSet,
    options: ['bind', 'ro'],
  },
];
spec.linux.namespaces = spec.linux.namespaces.filter(
  (n) => n.type !== 'network' && n.type !== 'cgroup',
);
delete spec.linux.resources;
delete spec.linux.cgroupsPath;
writeFileSync(file, `${JSON.stringify(spec, null, 2)}\n`);
