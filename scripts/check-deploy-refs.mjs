// Cross-checks of deploy/ that promtool cannot make (run by scripts/check-deploy.sh):
//  1. every mxprobe metric that a rule, test, scrape config or dashboard names exists: exported
//     (the golden exposition test/fixtures/metrics.prom) or recorded by a recording rule;
//  2. every alert has a unit test in which it fires and one in which it does not, and every
//     recording rule a unit test with expected samples.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

process.chdir(new URL('..', import.meta.url).pathname);

const PROMETHEUS_DIR = 'deploy/prometheus';
const GRAFANA_DIR = 'deploy/grafana';
// Metrics that rules may name before the exporter serves them (none now). When the exporter
// serves one, it is in the golden exposition and must leave this list.
const NOT_YET_EXPORTED = new Set([]);
// Target labels set by relabelling, not metrics.
const LABELS = new Set(['mxprobe_expect_port25']);

const problems = [];
const filesIn = (dir, suffix) =>
  readdirSync(dir)
    .filter((name) => name.endsWith(suffix))
    .map((name) => join(dir, name));
const yamlFiles = filesIn(PROMETHEUS_DIR, '.yml');
const testFiles = yamlFiles.filter((file) => file.endsWith('.test.yml'));
const ruleFiles = yamlFiles.filter(
  (file) => !testFiles.includes(file) && 'groups' in (parse(readFileSync(file, 'utf8')) ?? {}),
);
const dashboards = filesIn(GRAFANA_DIR, '.json');

const exported = new Set(
  [...readFileSync('test/fixtures/metrics.prom', 'utf8').matchAll(/^# TYPE (mxprobe_\w+) /gm)].map(
    (m) => m[1],
  ),
);
for (const name of NOT_YET_EXPORTED) {
  if (exported.has(name)) problems.push(`${name} is exported now: remove it from NOT_YET_EXPORTED`);
}

const rules = ruleFiles.flatMap((file) =>
  parse(readFileSync(file, 'utf8')).groups.flatMap((group) =>
    group.rules.map((rule) => ({ file, ...rule })),
  ),
);
const recorded = new Set(rules.filter((r) => r.record).map((r) => r.record));

// 1. Names.
for (const file of [...yamlFiles, ...dashboards]) {
  let text = readFileSync(file, 'utf8');
  if (file.endsWith('.json')) JSON.parse(text);
  // Recording-rule names (level:metric:operation) first, then what is left.
  for (const [name] of text.matchAll(/\b[a-z][a-z0-9_]*:mxprobe_[a-z0-9_]+:[a-z0-9_]+/g)) {
    if (!recorded.has(name)) problems.push(`${file}: ${name} is no recording rule`);
  }
  text = text.replace(/\b[a-z][a-z0-9_]*:mxprobe_[a-z0-9_]+:[a-z0-9_]+/g, '');
  // Alternations in relabelling regexes: mxprobe_(diagnosis|relay_up).
  for (const [, alternatives] of text.matchAll(/\bmxprobe_\(([a-z0-9_|]+)\)/g)) {
    for (const suffix of alternatives.split('|')) checkMetric(file, `mxprobe_${suffix}`);
  }
  for (const [name] of text.matchAll(/\bmxprobe_[a-z0-9_]+/g)) checkMetric(file, name);
}

function checkMetric(file, name) {
  const base = name.replace(/_(bucket|sum|count)$/, '');
  if (!exported.has(base) && !NOT_YET_EXPORTED.has(base) && !LABELS.has(name)) {
    problems.push(`${file}: unknown metric ${name}`);
  }
}

// 2. Tests.
const tests = testFiles.map((file) => ({ file, ...parse(readFileSync(file, 'utf8')) }));
const tested = new Set(
  tests.flatMap(({ file, rule_files: loaded = [] }) =>
    loaded.map((name) => join(PROMETHEUS_DIR, name)).filter((path) => path !== file),
  ),
);
for (const file of ruleFiles) {
  if (!tested.has(file)) problems.push(`${file}: no *.test.yml loads it`);
}
const alertCases = tests.flatMap((t) => (t.tests ?? []).flatMap((c) => c.alert_rule_test ?? []));
const exprCases = tests.flatMap((t) => (t.tests ?? []).flatMap((c) => c.promql_expr_test ?? []));
for (const rule of rules) {
  if (rule.alert) {
    const cases = alertCases.filter((c) => c.alertname === rule.alert);
    if (!cases.some((c) => (c.exp_alerts ?? []).length > 0))
      problems.push(`${rule.file}: alert ${rule.alert} has no test in which it fires`);
    if (!cases.some((c) => (c.exp_alerts ?? []).length === 0))
      problems.push(`${rule.file}: alert ${rule.alert} has no test in which it stays silent`);
  } else if (
    !exprCases.some((c) => c.expr.includes(rule.record) && (c.exp_samples ?? []).length > 0)
  ) {
    problems.push(`${rule.file}: recording rule ${rule.record} has no test with expected samples`);
  }
}

if (problems.length > 0) {
  process.stderr.write(`${problems.join('\n')}\n`);
  process.exit(1);
}
process.stdout.write(
  `${rules.length} rules in ${ruleFiles.length} files, all tested; metric names in ${
    yamlFiles.length + dashboards.length
  } files all known\n`,
);
