#!/usr/bin/env bash
# Deployment checks (CI runs this after the tests): the install and uninstall scripts staged in a
# scratch root, the systemd unit (verify, and an exposure score of at most 2.0), the Prometheus
# example config, alerting rules and their unit tests, the exposition format, and the Grafana
# dashboard. Needs: systemd (systemd-analyze), prometheus (promtool), a built dist/.
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

step "promtool check config deploy/prometheus/prometheus.yml"
promtool check config deploy/prometheus/prometheus.yml

step "promtool check rules"
promtool check rules deploy/prometheus/rules.yml

step "promtool test rules"
(cd deploy/prometheus && promtool test rules rules.test.yml)

step "promtool check metrics (the golden exposition)"
promtool check metrics <test/fixtures/metrics.prom && echo "clean"

step "every mxprobe metric the rules and the dashboard use exists"
node --input-type=module - <<'JS'
import { readFileSync } from 'node:fs';
const exposed = new Set(
  [...readFileSync('test/fixtures/metrics.prom', 'utf8').matchAll(/^# TYPE (mxprobe_\w+) /gm)].map((m) => m[1]),
);
const dashboard = readFileSync('deploy/grafana/mxprobe.json', 'utf8');
JSON.parse(dashboard);
let missing = [];
for (const [file, text] of [['deploy/prometheus/rules.yml', readFileSync('deploy/prometheus/rules.yml', 'utf8')], ['deploy/grafana/mxprobe.json', dashboard]]) {
  for (const [name] of text.matchAll(/\bmxprobe_[a-z0-9_]+/g)) {
    const base = name.replace(/_(bucket|sum|count)$/, '');
    if (!exposed.has(base)) missing.push(`${file}: ${name}`);
  }
}
if (missing.length > 0) {
  console.error(`unknown metrics:\n${[...new Set(missing)].join('\n')}`);
  process.exit(1);
}
console.log('all known');
JS

printf '\ncheck-deploy: all deployment checks passed (unit exposure %s)\n' "$exposure"
