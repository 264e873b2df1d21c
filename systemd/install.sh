#!/usr/bin/env bash
# Installs mxprobe as a systemd service: the package (npm, under /usr/local), the unit, and a
# default config (the built-in probe set) that is never overwritten on upgrade.
#
#   sudo systemd/install.sh [PACKAGE]
#       PACKAGE: an npm tarball (mxprobe-X.Y.Z.tgz), or a built checkout (npm ci && npm run build);
#       default: the checkout this script lives in.
#   sudo systemctl enable --now mxprobe
#
# DESTDIR=/some/dir stages everything under that directory instead of / (for packaging and for
# CI's checks); systemctl is then left alone. PREFIX (default /usr/local) moves the package.
set -euo pipefail

DESTDIR="${DESTDIR:-}"
PREFIX="${PREFIX:-/usr/local}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
package="${1:-$(dirname "$here")}"

die() {
  echo "install.sh: $*" >&2
  exit 1
}

[ -n "$DESTDIR" ] || [ "$(id -u)" -eq 0 ] || die "run as root: sudo $0 $*"
command -v node >/dev/null || die "Node.js 20 or later is needed and node is not on PATH"
major="$(node -p 'process.versions.node.split(".")[0]')"
[ "$major" -ge 20 ] || die "Node.js 20 or later is needed; found $(node --version)"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
if [ -d "$package" ]; then
  [ -f "$package/dist/src/bin.js" ] || die "$package is not built: run 'npm ci && npm run build' there first"
  # Packing gives exactly what a release tarball holds, instead of linking to the checkout.
  tarball="$work/$(cd "$package" && npm pack --silent --pack-destination "$work" | tail -n 1)"
else
  [ -f "$package" ] || die "no such package: $package"
  # An absolute path, or npm would read a bare "mxprobe-X.Y.Z.tgz" as a registry name.
  tarball="$(cd "$(dirname "$package")" && pwd)/$(basename "$package")"
fi

echo "install.sh: installing $(basename "$tarball") under $DESTDIR$PREFIX"
npm install --global --omit=dev --no-audit --no-fund --loglevel=error --prefix "$DESTDIR$PREFIX" "$tarball"
installed="$DESTDIR$PREFIX/lib/node_modules/mxprobe"

unit="$DESTDIR/etc/systemd/system/mxprobe.service"
install -d -m 0755 "$(dirname "$unit")"
sed "s#/usr/local/#$PREFIX/#g" "$installed/systemd/mxprobe.service" >"$unit"
chmod 0644 "$unit"

config="$DESTDIR/etc/mxprobe/config.yaml"
if [ -e "$config" ]; then
  echo "install.sh: keeping the existing $config"
else
  install -D -m 0644 "$installed/probes/default.yaml" "$config"
  echo "install.sh: wrote the default probe set to $config (edit it, then: systemctl reload mxprobe)"
fi

if [ -z "$DESTDIR" ] && command -v systemctl >/dev/null; then
  systemctl daemon-reload
  # An upgrade takes effect at once when the service already runs; a fresh install waits for
  # the admin's `systemctl enable --now mxprobe`.
  systemctl try-restart mxprobe.service
  echo "install.sh: done. Start it with: systemctl enable --now mxprobe"
fi
