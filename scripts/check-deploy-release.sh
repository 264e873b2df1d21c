#!/usr/bin/env bash
# Release checks (CI runs this after `npm run package`), on the artifacts in release/:
#   - SHA256SUMS matches every artifact;
#   - each package's glibc floor is what its executable needs (scripts/check-deploy-floor.mjs);
#   - the arm64 executable runs under qemu-user (Debian's arm64 C runtime as its library root):
#     --version, check-config, and a probe --once of an SMTP listener on loopback;
#   - rpmlint: no error on either RPM; each installs into a scratch --root with its files, its
#     %config(noreplace) files and scriptlets that parse, and erases cleanly;
#   - the container image (an OCI archive, both platforms; scripts/check-deploy-image.mjs): the
#     amd64 image's --version, and the image as a daemon on loopback answers /-/ready and
#     /metrics (with podman, or with crun on the image's unpacked filesystem where podman
#     cannot run containers);
#   - the Kubernetes manifests are current and valid (scripts/check-deploy-kubernetes.mjs);
#   - the footprint: this machine's executable as the daemon, 300 cycles of the shipped default's
#     shape on loopback (test/root/footprint.test.ts with MXPROBE_EXECUTABLE);
#   - reproducibility: a second `npm run package` gives byte-identical artifacts.
# Only loopback is ever probed: the configs here name 127.0.0.1 and turn cloud detection off.
# MXPROBE_SKIP_REBUILD=1 leaves out the second build (about as long as the first).
set -euo pipefail
cd "$(dirname "$0")/.."

version="$(node -p 'require("./package.json").version')"
release=release
stage="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  podman rm -f mxprobe-release-check >/dev/null 2>&1 || true
  crun list -q 2>/dev/null | grep "^mxprobe-release-check-$$-" | xargs -r -n1 crun delete -f 2>/dev/null || true
  podman rmi -f "mxprobe:$version" >/dev/null 2>&1 || true
  rm -rf "$stage"
}
trap cleanup EXIT

step() { printf '\n== %s\n' "$*"; }
fail() {
  echo "check-deploy-release: $*" >&2
  exit 1
}

# The tools these checks run, installed like the test suites' (services held during the install).
node --input-type=module -e '
  import { ensureAptPackages, RELEASE_CHECK_TOOLS } from "./scripts/ensure-deps.mjs";
  const missing = ensureAptPackages(RELEASE_CHECK_TOOLS);
  if (missing.length > 0) {
    console.error(`check-deploy-release: missing Debian packages: ${missing.join(", ")}`);
    process.exit(1);
  }
'
[ -f "$release/SHA256SUMS" ] || npm run package --silent

step "SHA256SUMS"
(cd "$release" && sha256sum --check --strict SHA256SUMS)
[ "$(wc -l <"$release/SHA256SUMS")" -eq 7 ] || fail "SHA256SUMS should list 7 artifacts"

step "the glibc floor of each package is its executable's"
node scripts/check-deploy-floor.mjs "$release"

# A loopback SMTP listener (greets, answers EHLO, says bye to QUIT) and a config that probes only it.
smtp_port=2525
node -e '
  require("node:net").createServer((s) => {
    s.write("220 release-check ESMTP\r\n");
    s.on("data", (d) => (/^QUIT/im.test(String(d)) ? s.end("221 bye\r\n") : s.write("250 ok\r\n")));
    s.on("error", () => {});
  }).listen(Number(process.argv[1]), "127.0.0.1");
' "$smtp_port" &
pids+=("$!")
config="$stage/config.yaml"
metrics_port=19725
cat >"$config" <<YAML
interval: 1m
listen: '127.0.0.1:$metrics_port'
connectTimeout: 1s
greetingTimeout: 2s
dnsServers: []
cloudDetection:
  enabled: false
targets:
  - host: 127.0.0.1
    ports: [$smtp_port]
YAML
chmod 644 "$config"
sleep 0.5

step "the arm64 executable under qemu-aarch64-static"
sysroot="$(node --input-type=module -e 'import { debianSysroot } from "./packaging/sysroot.mjs"; console.log(debianSysroot("arm64"))')"
arm64() { qemu-aarch64-static -L "$sysroot" "$release/mxprobe-$version-linux-arm64" "$@"; }
arm64 --version | tee "$stage/version"
grep -q "^mxprobe, version $version " "$stage/version" || fail "arm64 --version"
grep -q "platform: *linux/arm64" "$stage/version" || fail "the arm64 executable does not run as arm64"
arm64 check-config --config.file "$config" >/dev/null && echo "check-config: ok"
arm64 probe --once --json --config.file "$config" >"$stage/report.json" || true
node -e '
  const report = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8"));
  const results = report.attempts.map((a) => `${a.port}:${a.result}`);
  console.log("probe --once:", results.join(" "));
  if (results.length === 0 || !results.every((r) => r.endsWith(":reachable"))) process.exit(1);
' "$stage/report.json" || fail "the arm64 probe --once did not find the loopback listener reachable"

step "rpmlint (no error)"
rpms=("$release"/mxprobe-*.rpm)
[ "${#rpms[@]}" -eq 2 ] || fail "expected 2 RPMs in $release, found ${#rpms[@]}"
rpmlint -c packaging/rpm/rpmlint.toml "${rpms[@]}" | tee "$stage/rpmlint"
grep -Eq ' 0 errors, ' "$stage/rpmlint" || fail "rpmlint reports errors"

step "each RPM installs into a scratch root, and erases"
for rpm in "${rpms[@]}"; do
  root="$stage/rpmroot-$(basename "$rpm" .rpm)"
  mkdir -p "$root"
  rpmq() { rpm --root "$root" --dbpath /var/lib/rpm "$@"; }
  rpmq --initdb
  # No systemd and no shell in the scratch root: the scriptlets are checked for syntax instead.
  rpmq -i --nodeps --noscripts --ignorearch "$rpm" 2>&1 | grep -v 'Alien\|what you are doing' || true
  for path in usr/bin/mxprobe usr/lib/systemd/system/mxprobe.service etc/mxprobe/config.yaml \
    etc/sysconfig/mxprobe usr/share/man/man1/mxprobe.1.gz usr/share/doc/mxprobe/README.md \
    usr/share/doc/mxprobe/docs/runbook.md usr/share/doc/mxprobe/deploy/prometheus/rules.yml \
    usr/share/licenses/mxprobe/LICENSE; do
    [ -f "$root/$path" ] || fail "$(basename "$rpm") did not install /$path"
  done
  cmp -s "$root/etc/mxprobe/config.yaml" probes/default.yaml || fail "/etc/mxprobe/config.yaml differs from probes/default.yaml"
  grep -q '^EnvironmentFile=-/etc/sysconfig/mxprobe$' "$root/usr/lib/systemd/system/mxprobe.service" ||
    fail "the RPM's unit does not read /etc/sysconfig/mxprobe"
  flags="$(rpm -qp --queryformat '[%{FILEFLAGS:fflags} %{FILENAMES}\n]' "$rpm" 2>/dev/null)"
  for conffile in /etc/mxprobe/config.yaml /etc/sysconfig/mxprobe; do
    grep -qE "^c[a-z]*n[a-z]* $conffile$" <<<"$flags" || fail "$conffile is not %config(noreplace)"
  done
  for scriptlet in postin preun postun; do
    rpm -qp --queryformat "%{${scriptlet^^}}" "$rpm" 2>/dev/null >"$stage/$scriptlet.sh"
    grep -q systemctl "$stage/$scriptlet.sh" || fail "the $scriptlet scriptlet does not call systemctl"
    sh -n "$stage/$scriptlet.sh" || fail "the $scriptlet scriptlet is not valid sh"
  done
  echo "$(basename "$rpm"): $(rpmq -ql mxprobe | wc -l) paths installed"
  rpmq -e --noscripts mxprobe 2>&1 | grep -v "Alien\|what you are doing" || true
  left="$(find "$root" -path "$root/var" -prune -o -type f -print)"
  [ -z "$left" ] || fail "erasing $(basename "$rpm") left: $left"
done

step "the container image"
node scripts/check-deploy-image.mjs "$release/mxprobe-$version-oci.tar" --unpack "$stage/rootfs"
# podman where it can run containers. On a host where it cannot (limits it may not set), crun,
# the OCI runtime under podman, runs the amd64 image's own filesystem, unpacked, with what the
# image's config says (user 65532, the entrypoint) and what the DaemonSet asks (a read-only root,
# no capability, the host's network). crun refuses a host that mixes cgroup v1 and v2, as this
# kind of machine does: it runs in a mount namespace that sees cgroup v2 alone, and makes none.
podman load --quiet --input "$release/mxprobe-$version-oci.tar" >"$stage/loaded" ||
  fail "podman could not load the OCI archive"
grep -q "mxprobe:$version" "$stage/loaded" || fail "podman load named no mxprobe:$version: $(cat "$stage/loaded")"
if podman run --rm --network=none "mxprobe:$version" --version >"$stage/version" 2>"$stage/podman.err"; then
  runner=podman
  container() {
    podman run --detach --name mxprobe-release-check --network=host --read-only --cap-drop=ALL \
      --volume "$config:/etc/mxprobe/config.yaml:ro" "mxprobe:$version" >/dev/null
  }
else
  runner="crun (podman cannot run containers here: $(tail -1 "$stage/podman.err"))"
  bundle="$stage/bundle"
  mkdir -p "$bundle"
  mv "$stage/rootfs" "$bundle/rootfs"
  (cd "$bundle" && crun spec)
  in_image() {
    node scripts/oci-runtime-config.mjs "$bundle/config.json" "$config" "$@"
    unshare --mount sh -c 'umount -l /sys/fs/cgroup && mount -t cgroup2 none /sys/fs/cgroup &&
      exec crun --cgroup-manager=disabled run --bundle "$1" "$2"' crun "$bundle" "mxprobe-release-check-$$-$#"
  }
  in_image --version >"$stage/version"
  container() {
    in_image probe --config.file /etc/mxprobe/config.yaml >"$stage/container.log" 2>&1 &
    pids+=("$!")
  }
fi
echo "runs with: $runner"
cat "$stage/version"
grep -q "^mxprobe, version $version " "$stage/version" || fail "the image's --version"
container
ready=""
for _ in $(seq 1 60); do
  if curl -fsS "http://127.0.0.1:$metrics_port/-/ready" >/dev/null 2>&1; then ready=1 && break; fi
  sleep 1
done
[ -n "$ready" ] || fail "the image's daemon never answered 200 on /-/ready"
curl -fsS "http://127.0.0.1:$metrics_port/metrics" >"$stage/metrics"
if ! grep -q "^mxprobe_probe_result{.*port=\"$smtp_port\",result=\"reachable\"} 1" "$stage/metrics"; then
  # What the daemon saw and said, for whoever reads this CI log.
  grep -E '^mxprobe_(probe_result|diagnosis)\{' "$stage/metrics" | grep ' 1$' >&2 || true
  tail -n 5 "$stage/container.log" >&2 2>/dev/null || true
  fail "the image's /metrics has no reachable result for the loopback listener"
fi
grep "^mxprobe_build_info" "$stage/metrics"
echo "the image's daemon served /metrics (reachable on 127.0.0.1:$smtp_port)"

step "Kubernetes manifests (deploy/kubernetes)"
node scripts/check-deploy-kubernetes.mjs

step "the executable's footprint as the daemon"
arch="$(node -p process.arch)"
MXPROBE_EXECUTABLE="$PWD/$release/mxprobe-$version-linux-$arch" \
  npx vitest run --project root test/root/footprint.test.ts

if [ "${MXPROBE_SKIP_REBUILD:-}" != 1 ]; then
  step "reproducibility: a second npm run package gives the same bytes"
  started=$SECONDS
  node scripts/package.mjs --out "$stage/again" 2>"$stage/again.log" || {
    cat "$stage/again.log"
    fail "the second npm run package failed"
  }
  diff "$release/SHA256SUMS" "$stage/again/SHA256SUMS" || fail "two builds of the same commit differ (above)"
  echo "identical: $(wc -l <"$release/SHA256SUMS") artifacts (second build: $((SECONDS - started)) s)"
fi

printf '\ncheck-deploy-release: all release checks passed\n'
