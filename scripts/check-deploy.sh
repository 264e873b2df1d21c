#!/usr/bin/env bash
# Deployment checks (CI runs this after the tests): the install and uninstall scripts staged in a
# scratch root, the systemd unit as install.sh and as the Debian package install it (verify, and
# an exposure score of at most 2.0), the Debian package (lintian), the Prometheus example configs,
# the alerting and recording rules and their unit tests, the Alertmanager example, the exposition
# format, and the Grafana dashboards. Needs: systemd (systemd-analyze), prometheus (promtool),
# prometheus-alertmanager (amtool), lintian, a built dist/ and release/.
set -euo pipefail
cd "$(dirname "$0")/.."

MAX_EXPOSURE=2.0
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
# install.sh and uninstall.sh work on $root; the units are verified from $stage/verify.
root="$stage/root"

step() { printf '\n== %s\n' "$*"; }
fail() {
  echo "check-deploy: $*" >&2
  exit 1
}

[ -f dist/src/bin.js ] || npm run build --silent
deb="release/mxprobe_$(node -p 'require("./package.json").version.replace("-", "~")')_$(dpkg --print-architecture).deb"
[ -f "$deb" ] || npm run package --silent

# verify_unit UNIT EXEC: systemd-analyze verify with ExecStart= pointing at EXEC, the staged
# executable, so that verify also proves the installed command exists and is executable.
verify_unit() {
  local unit="$1" exec="$2" staged
  staged="$stage/verify/$(basename "$unit")"
  mkdir -p "$(dirname "$staged")"
  sed -E "s#^ExecStart=[^ ]+ #ExecStart=$exec #" "$unit" >"$staged"
  grep -q "^ExecStart=$exec " "$staged" || fail "$unit has no ExecStart= line to point at $exec"
  # --man=no: the man page of the packaged unit is in the staged package, not in man's path.
  verify_output="$(systemd-analyze verify --man=no "$staged" 2>&1)" || {
    echo "$verify_output"
    fail "systemd-analyze verify failed on $unit"
  }
  if grep -q 'mxprobe' <<<"$verify_output"; then
    echo "$verify_output"
    fail "systemd-analyze verify has remarks on $unit"
  fi
  echo "clean"
}

# check_exposure UNIT: systemd-analyze security --offline, at most MAX_EXPOSURE.
check_exposure() {
  local unit="$1" security_output exposure_line
  security_output="$(systemd-analyze security --offline=true "$unit" 2>&1)" || true
  exposure_line="$(grep 'Overall exposure level' <<<"$security_output")" || {
    echo "$security_output"
    fail "no exposure score in the output of systemd-analyze security for $unit"
  }
  exposure="$(sed -E 's/.*: ([0-9.]+) .*/\1/' <<<"$exposure_line")"
  echo "$exposure_line"
  echo "$unit exposure score: $exposure (limit $MAX_EXPOSURE)"
  awk -v e="$exposure" -v max="$MAX_EXPOSURE" 'BEGIN { exit !(e <= max) }' ||
    fail "the exposure $exposure of $unit is above $MAX_EXPOSURE"
}

step "systemd/install.sh into a staging root"
# The npm cache already holds every dependency after `npm ci`: no registry round trip needed.
npm_config_prefer_offline=true DESTDIR="$root" systemd/install.sh
"$root/usr/local/bin/mxprobe" check-config --config "$root/etc/mxprobe/config.yaml" >/dev/null
cmp -s "$root/etc/systemd/system/mxprobe.service" systemd/mxprobe.service || fail "the installed unit differs from systemd/mxprobe.service"

step "systemd-analyze verify"
grep -q "^ExecStart=/usr/local/bin/mxprobe " systemd/mxprobe.service || fail "ExecStart= of systemd/mxprobe.service is not /usr/local/bin/mxprobe"
verify_unit systemd/mxprobe.service "$root/usr/local/bin/mxprobe"

step "systemd-analyze security --offline=true (exposure must be <= $MAX_EXPOSURE)"
check_exposure systemd/mxprobe.service

step "the unit of $deb"
dpkg-deb -x "$deb" "$stage/deb"
packaged_unit="$stage/deb/usr/lib/systemd/system/mxprobe.service"
grep -q "^ExecStart=/usr/bin/mxprobe probe --config.file /etc/mxprobe/config.yaml \$MXPROBE_ARGS$" "$packaged_unit" ||
  fail "the packaged unit does not run /usr/bin/mxprobe with /etc/mxprobe/config.yaml and \$MXPROBE_ARGS"
grep -q "^EnvironmentFile=-/etc/default/mxprobe$" "$packaged_unit" || fail "the packaged unit does not read /etc/default/mxprobe"
grep -q "^Documentation=man:mxprobe(1)$" "$packaged_unit" || fail "the packaged unit does not name man:mxprobe(1)"
verify_unit "$packaged_unit" "$stage/deb/usr/bin/mxprobe"
check_exposure "$packaged_unit"

step "lintian $deb"
# Errors and warnings fail; the overrides shipped in the package say why each one is accepted.
lintian --fail-on error,warning "$deb" && echo "clean"

step "systemd/uninstall.sh --purge from the staging root"
DESTDIR="$root" systemd/uninstall.sh --purge
leftovers="$(find "$root" -type f -o -type l)"
[ -z "$leftovers" ] || fail "uninstall left files behind: $leftovers"

# deploy/prometheus holds three kinds of YAML: unit tests (*.test.yml), rule files (a top-level
# `groups:`) and Prometheus configs (the rest). Each is checked with the promtool command for it.
prometheus_configs=()
rule_files=()
rule_tests=()
for file in deploy/prometheus/*.yml; do
  if [[ "$file" == *.test.yml ]]; then
    rule_tests+=("$file")
  elif grep -q '^groups:' "$file"; then
    rule_files+=("$file")
  else
    prometheus_configs+=("$file")
  fi
done

step "promtool check config (${prometheus_configs[*]})"
for file in "${prometheus_configs[@]}"; do
  promtool check config "$file"
done

step "promtool check rules (${rule_files[*]})"
promtool check rules "${rule_files[@]}"

step "promtool test rules (${rule_tests[*]})"
for file in "${rule_tests[@]}"; do
  (cd "$(dirname "$file")" && promtool test rules "$(basename "$file")")
done

step "amtool check-config deploy/alertmanager/alertmanager.yml"
command -v amtool >/dev/null || fail "amtool is missing (Debian package prometheus-alertmanager)"
amtool check-config deploy/alertmanager/alertmanager.yml

step "Alertmanager routes: what pages and what becomes a ticket"
# alert labels -> the receiver that must get it
while IFS='|' read -r labels receiver; do
  # shellcheck disable=SC2086 # the labels are separate arguments
  amtool config routes test --config.file=deploy/alertmanager/alertmanager.yml \
    --verify.receivers="$receiver" $labels >/dev/null 2>&1 ||
    fail "alertmanager.yml routes {$labels} elsewhere than to $receiver"
  echo "{$labels} -> $receiver"
done <<'ROUTES'
alertname=MxprobePort25Stopped severity=critical cloud=azure region=westeurope|mail-team-pager
alertname=MxprobeRelayDown severity=critical relay=hub|mail-team-pager
alertname=MxprobePort25Blocked severity=warning code=port25-blocked|mail-team-tickets
alertname=MxprobePort25Refused severity=warning code=port25-refused|mail-team-tickets
alertname=MxprobeDnsblListed severity=warning address=203.0.113.7|mail-team-tickets
alertname=MxprobeEgressPtrMissing severity=warning address=203.0.113.7|mail-team-tickets
alertname=MxprobeStale severity=warning|mail-team-tickets
ROUTES

step "promtool check metrics (the golden exposition)"
promtool check metrics <test/fixtures/metrics.prom && echo "clean"

step "every metric the rules, configs and dashboards name exists; every rule has unit tests"
node scripts/check-deploy-refs.mjs

printf '\ncheck-deploy: all deployment checks passed (unit exposure %s)\n' "$exposure"
