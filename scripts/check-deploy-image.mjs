// The container image in release/ (an OCI layout in a tar archive), read without a container
// runtime: one image index holding linux/amd64 and linux/arm64; each image runs
// /usr/bin/mxprobe as the non-root user 65532, exposes 9725/tcp and carries the
// org.opencontainers.image.* labels; its one layer holds the executable, the loader and the
// libraries it names, CA certificates and passwd entries, and no shell or package manager.
// With --unpack DIR, the amd64 image's filesystem is unpacked into DIR (for a run without podman).
// Usage: node scripts/check-deploy-image.mjs ARCHIVE [--unpack DIR]
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { run } from '../packaging/run.mjs';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { unpack: { type: 'string' } },
});
const [archive] = positionals;
if (!archive) {
  process.stderr.write('usage: node scripts/check-deploy-image.mjs ARCHIVE [--unpack DIR]\n');
  process.exit(2);
}
const layout = mkdtempSync(join(tmpdir(), 'mxprobe-image-'));
const problems = [];
const blob = (digest) => join(layout, 'blobs', 'sha256', digest.replace(/^sha256:/, ''));
const json = (digest) => JSON.parse(readFileSync(blob(digest), 'utf8'));
const FORBIDDEN =
  /^(bin\/(ba|da)?sh|usr\/bin\/(ba|da)?sh|usr\/bin\/(apt|apt-get|dpkg|rpm|dnf|yum|apk))$/;
const REQUIRED = [
  'usr/bin/mxprobe',
  'etc/ssl/certs/ca-certificates.crt',
  'etc/passwd',
  'etc/mxprobe/config.yaml',
];

function checkImage(descriptor) {
  const { architecture, os } = descriptor.platform ?? {};
  const what = `${os}/${architecture}`;
  const manifest = json(descriptor.digest);
  const config = json(manifest.config.digest);
  if (config.architecture !== architecture)
    problems.push(`${what}: config says ${config.architecture}`);
  const c = config.config ?? {};
  if (c.User !== '65532:65532')
    problems.push(`${what}: runs as ${c.User ?? 'root'}, not 65532:65532`);
  if (!c.ExposedPorts?.['9725/tcp']) problems.push(`${what}: does not expose 9725/tcp`);
  if (c.Entrypoint?.[0] !== '/usr/bin/mxprobe')
    problems.push(`${what}: entrypoint ${c.Entrypoint}`);
  for (const label of ['title', 'version', 'revision', 'created', 'licenses', 'description']) {
    if (!c.Labels?.[`org.opencontainers.image.${label}`])
      problems.push(`${what}: no org.opencontainers.image.${label} label`);
  }
  const files = manifest.layers.flatMap((layer) =>
    run('tar', ['-tzf', blob(layer.digest)])
      .split('\n')
      .filter(Boolean)
      .map((f) => f.replace(/\/$/, '')),
  );
  for (const file of files.filter((f) => FORBIDDEN.test(f)))
    problems.push(`${what}: holds ${file}`);
  for (const file of REQUIRED.filter((f) => !files.includes(f)))
    problems.push(`${what}: lacks ${file}`);
  process.stdout.write(
    `${what}: ${files.length} paths, user ${c.User}, ${manifest.layers.length} layer(s)\n`,
  );
  return manifest;
}

try {
  run('tar', ['-xf', archive, '-C', layout]);
  const top = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8'));
  const [entry] = top.manifests;
  const index = json(entry.digest);
  const platforms = index.manifests
    .map((m) => `${m.platform?.os}/${m.platform?.architecture}`)
    .sort();
  if (platforms.join(' ') !== 'linux/amd64 linux/arm64')
    problems.push(`the index holds ${platforms.join(', ')}`);
  process.stdout.write(
    `${entry.annotations?.['org.opencontainers.image.ref.name']}: ${platforms.join(', ')}\n`,
  );
  const manifests = Object.fromEntries(
    index.manifests.map((m) => [m.platform?.architecture, checkImage(m)]),
  );
  if (values.unpack && manifests.amd64) {
    mkdirSync(values.unpack, { recursive: true });
    for (const layer of manifests.amd64.layers)
      run('tar', ['-xzf', blob(layer.digest), '-C', values.unpack]);
  }
} finally {
  rmSync(layout, { recursive: true, force: true });
}
for (const problem of problems) process.stderr.write(`check-deploy-image: ${problem}\n`);
process.exit(problems.length > 0 ? 1 : 0);
