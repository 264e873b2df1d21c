// The container image: one OCI image index with a linux/amd64 and a linux/arm64 image, written
// as an OCI layout in a tar archive (what `podman load`, `skopeo copy oci-archive:` and
// registries' push tools read), without a container daemon. Each image is one layer holding
// the single executable, the shared libraries it names (from Debian's packages), CA
// certificates, a passwd entry for the non-root user and the default config: no shell, no
// package manager. Every byte is fixed by the inputs and the release time, so the digests
// repeat across builds.
import { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { interpreter, neededLibraries } from './elf.mjs';
import { TRIPLETS } from './sea.mjs';
import { debianSysroot } from './sysroot.mjs';
import { tarArchive } from './tar.mjs';

const INDEX = 'application/vnd.oci.image.index.v1+json';
const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const CONFIG = 'application/vnd.oci.image.config.v1+json';
const LAYER = 'application/vnd.oci.image.layer.v1.tar+gzip';
/** The unprivileged user the image runs as (the number distroless images use for nonroot). */
const USER_ID = 65532;
const OCI_ARCH = { x64: 'amd64', arm64: 'arm64' };

function sha256(data) {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** A JSON blob and its descriptor. */
function jsonBlob(mediaType, value, extra = {}) {
  const data = Buffer.from(JSON.stringify(value));
  return { data, descriptor: { mediaType, digest: sha256(data), size: data.length, ...extra } };
}

/** Debian's CA certificates as one PEM bundle (what update-ca-certificates would write). */
function caBundle(sysroot) {
  const dir = join(sysroot, 'usr', 'share', 'ca-certificates', 'mozilla');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.crt'))
    .sort()
    .map((f) => readFileSync(join(dir, f), 'utf8').trimEnd() + '\n')
    .join('');
}

/** The loader and each needed library, copied from the sysroot under the name it is asked by. */
function runtimeFiles(executable, arch) {
  const sysroot = debianSysroot(arch);
  const libDir = `lib/${TRIPLETS[arch]}`;
  const loader = interpreter(executable);
  const files = [{ path: loader.slice(1), from: join(sysroot, loader) }];
  for (const library of neededLibraries(executable)) {
    if (loader.endsWith(`/${library}`)) continue;
    const candidates = [join(sysroot, libDir, library), join(sysroot, 'usr', libDir, library)];
    const found = candidates.find((path) => {
      try {
        return realpathSync(path).startsWith(realpathSync(sysroot));
      } catch {
        return false;
      }
    });
    if (!found) throw new Error(`the image needs ${library}, which Debian's ${arch} runtime lacks`);
    files.push({ path: `${libDir}/${library}`, from: found });
  }
  return { sysroot, files };
}

function directoriesOf(paths) {
  const dirs = new Set();
  for (const path of paths) {
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i += 1) dirs.add(parts.slice(0, i).join('/'));
  }
  return [...dirs].sort();
}

function layerEntries({ executable, arch, config }) {
  const { sysroot, files } = runtimeFiles(executable, arch);
  const entries = [
    { path: 'usr/bin/mxprobe', mode: 0o755, content: readFileSync(executable) },
    ...files.map(({ path, from }) => ({
      path,
      mode: 0o755,
      content: readFileSync(realpathSync(from)),
    })),
    { path: 'etc/ssl/certs/ca-certificates.crt', content: caBundle(sysroot) },
    {
      path: 'etc/passwd',
      content: `root:x:0:0:root:/root:/sbin/nologin\nmxprobe:x:${USER_ID}:${USER_ID}:mxprobe:/nonexistent:/sbin/nologin\n`,
    },
    { path: 'etc/group', content: `root:x:0:\nmxprobe:x:${USER_ID}:\n` },
    { path: 'etc/nsswitch.conf', content: 'passwd: files\ngroup: files\nhosts: files dns\n' },
    { path: 'etc/mxprobe/config.yaml', content: readFileSync(config) },
  ];
  const paths = entries.map((e) => e.path);
  const dirs = directoriesOf([...paths, 'tmp/x']).map((path) => ({
    path,
    directory: true,
    mode: path === 'tmp' ? 0o1777 : 0o755,
  }));
  return [...dirs, ...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function imageFor({ arch, executable, config, epoch, labels }) {
  const tar = tarArchive(layerEntries({ executable, arch, config }), epoch);
  // gzip's header carries no name or time from zlib: the same bytes every run.
  const layer = gzipSync(tar, { level: 6 });
  const created = new Date(epoch * 1000).toISOString();
  const platform = { architecture: OCI_ARCH[arch], os: 'linux' };
  const imageConfig = jsonBlob(CONFIG, {
    created,
    ...platform,
    config: {
      User: `${USER_ID}:${USER_ID}`,
      Entrypoint: ['/usr/bin/mxprobe'],
      Cmd: ['probe', '--config.file', '/etc/mxprobe/config.yaml'],
      ExposedPorts: { '9725/tcp': {} },
      Env: ['PATH=/usr/bin', 'SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt'],
      WorkingDir: '/',
      Labels: labels,
    },
    rootfs: { type: 'layers', diff_ids: [sha256(tar)] },
    history: [{ created, created_by: 'npm run package (packaging/oci.mjs)' }],
  });
  const layerDescriptor = { mediaType: LAYER, digest: sha256(layer), size: layer.length };
  const manifest = jsonBlob(
    MANIFEST,
    {
      schemaVersion: 2,
      mediaType: MANIFEST,
      config: imageConfig.descriptor,
      layers: [layerDescriptor],
      annotations: labels,
    },
    { platform },
  );
  return { blobs: [imageConfig.data, layer, manifest.data], descriptor: manifest.descriptor };
}

/**
 * @param {{ executables: Record<'x64' | 'arm64', string>, config: string, epoch: number,
 *   version: string, revision: string, description: string, license: string }} options
 * @returns {Buffer} the OCI layout as a tar archive
 */
export function ociArchive({
  executables,
  config,
  epoch,
  version,
  revision,
  description,
  license,
}) {
  const labels = {
    'org.opencontainers.image.title': 'mxprobe',
    'org.opencontainers.image.description': description,
    'org.opencontainers.image.version': version,
    'org.opencontainers.image.revision': revision,
    'org.opencontainers.image.created': new Date(epoch * 1000).toISOString(),
    'org.opencontainers.image.licenses': license,
  };
  const images = Object.entries(executables).map(([arch, executable]) =>
    imageFor({ arch, executable, config, epoch, labels }),
  );
  const index = jsonBlob(
    INDEX,
    {
      schemaVersion: 2,
      mediaType: INDEX,
      manifests: images.map((i) => i.descriptor),
      annotations: labels,
    },
    // A name with the tag: `podman load` names the image mxprobe:<version> (a bare tag would
    // become the image's name).
    { annotations: { 'org.opencontainers.image.ref.name': `mxprobe:${version}` } },
  );
  const blobs = new Map();
  for (const data of [...images.flatMap((i) => i.blobs), index.data]) blobs.set(sha256(data), data);
  const entries = [
    { path: 'blobs', directory: true },
    { path: 'blobs/sha256', directory: true },
    ...[...blobs.keys()]
      .sort()
      .map((digest) => ({ path: `blobs/sha256/${digest.slice(7)}`, content: blobs.get(digest) })),
    {
      path: 'index.json',
      content: JSON.stringify({
        schemaVersion: 2,
        mediaType: INDEX,
        manifests: [index.descriptor],
      }),
    },
    { path: 'oci-layout', content: JSON.stringify({ imageLayoutVersion: '1.0.0' }) },
  ];
  return tarArchive(entries, epoch);
}
