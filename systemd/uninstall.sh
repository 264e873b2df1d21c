#!/usr/bin/env bash
# Removes what install.sh installed: stops and disables the service, removes the unit and the
# package. The config in /etc/mxprobe stays unless --purge is given.
#
#   sudo systemd/uninstall.sh [--purge]
#
# DESTDIR and PREFIX as for install.sh.
set -euo pipefail

DESTDIR="${DESTDIR:-}"
PREFIX="${PREFIX:-/usr/local}"
purge=false
case "${1:-}" in
  --purge) purge=true ;;
  "") ;;
  *)
    echo "usage: $0 [--purge]" >&2
    exit 2
    ;;
esac

[ -n "$DESTDIR" ] || [ "$(id -u)" -eq 0 ] || {
  echo "uninstall.sh: run as root: sudo $0 $*" >&2
  exit 1
}

systemd_here=false
if [ -z "$DESTDIR" ] && command -v systemctl >/dev/null; then
  systemd_here=true
  systemctl disable --now mxprobe.service 2>/dev/null || true
fi
rm -f "$DESTDIR/etc/systemd/system/mxprobe.service"
rm -rf "$DESTDIR/etc/systemd/system/mxprobe.service.d"
if $systemd_here; then
  systemctl daemon-reload
  systemctl reset-failed mxprobe.service 2>/dev/null || true
fi

if [ -e "$DESTDIR$PREFIX/lib/node_modules/mxprobe" ]; then
  npm uninstall --global --no-audit --no-fund --loglevel=error --prefix "$DESTDIR$PREFIX" mxprobe
fi

if $purge; then
  rm -rf "$DESTDIR/etc/mxprobe"
  echo "uninstall.sh: removed mxprobe and its config"
else
  echo "uninstall.sh: removed mxprobe; the config stays in $DESTDIR/etc/mxprobe (--purge removes it)"
fi
