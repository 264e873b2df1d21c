#!/usr/bin/env bash
# Deployment checks (CI runs this after the tests): the install and uninstall scripts staged in a
# scratch root, the systemd unit (verify, and an exposure score of at most 2.0), the Prometheus
# example configs, the alerting and recording rules and their unit tests, the Alertmanager
# example, the exposition format, and the Grafana dashboards. Needs: systemd (systemd-analyze),
# prometheus (promtool), prometheus-alertmanager (amtool), a built dist/.
set -euo pipefail
cd "$(dirname "$0")/.."

MAX_EXPOSURE=2.0
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT

step() { printf '\n== %s\n' "$*"; }
fail() {
  echo "check-deploy: $*" >&2
  exit 1
}

[ -f dist/src/bin.js ] || npm run build --silent

step "systemd/install.sh into a staging root"
# The npm cache already holds every dependency after `npm ci`: no registry round trip needed.
npm_config_prefer_offline=true DESTDIR="$stage" systemd/install.sh
"$stage/usr/local/bin/mxprobe" check-config --config "$stage/etc/mxprobe/config.yaml" >/dev/null
cmp -s "$stage/etc/systemd/system/mxprobe.service" systemd/mxprobe.service || fail "the installed unit differs from systemd/mxprobe.service"

step "systemd-analyze verify"
# Verify the unit with ExecStart= pointing at the staged binary, so that verify also proves the
# installed command exists and is executable.
sed "s#^ExecStart=/usr/local/bin/mxprobe #ExecStart=$stage/usr/local/bin/mxprobe #" systemd/mxprobe.service >"$stage/mxprobe.service"
grep -q "^ExecStart=$stage/" "$stage/mxprobe.service" || fail "ExecStart= of systemd/mxprobe.service is not /usr/local/bin/mxprobe"
verify_output="$(systemd-analyze verify "$stage/mxprobe.service" 2>&1)" || {
  echo "$verify_output"
  fail "systemd-analyze verify failed"
}
if grep -q 'mxprobe' <<<"$verify_output"; then
  echo "$verify_output"
  fail "systemd-analyze verify has remarks on the unit"
fi
echo "clean"

step "systemd-analyze security --offline=true (exposure must be <= $MAX_EXPOSURE)"
security_output="$(systemd-analyze security --offline=true systemd/mxprobe.service 2>&1)" || true
exposure_line="$(grep 'Overall exposure level' <<<"$security_output")" || {
  echo "$security_output"
  fail "no exposure score in the output of systemd-analyze security"
}
exposure="$(sed -E 's/.*: ([0-9.]+) .*/\1/' <<<"$exposure_line")"
echo "$exposure_line"
echo "mxprobe.service exposure score: $exposure (limit $MAX_EXPOSURE)"
awk -v e="$exposure" -v max="$MAX_EXPOSURE" 'BEGIN { exit !(e <= max) }' ||
  fail "the unit's exposure $exposure is above $MAX_EXPOSURE"

step "systemd/uninstall.sh --purge from the staging root"
DESTDIR="$stage" systemd/uninstall.sh --purge
leftovers="$(find "$stage" -type f ! -name mxprobe.service -o -type l)"
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
