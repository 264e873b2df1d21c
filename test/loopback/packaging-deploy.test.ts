// The deployment files a user applies as they are: every alert links a section of the runbook
// that exists, and the Kubernetes manifests are generated from their one source and valid
// against the Kubernetes (and Prometheus Operator) schemas, offline.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const ROOT = join(import.meta.dirname, '..', '..');

/** GitHub's anchor for a Markdown heading: lower case, punctuation dropped, spaces as dashes. */
function anchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9 _-]/g, '')
    .replace(/ /g, '-');
}

interface Rule {
  alert?: string;
  annotations?: Record<string, string>;
}

describe('runbook links', () => {
  it('every alert has a runbook_url naming its own section of docs/runbook.md', () => {
    const groups = ['rules.yml', 'canary-rules.yml'].flatMap(
      (file) =>
        (
          parse(readFileSync(join(ROOT, 'deploy/prometheus', file), 'utf8')) as {
            groups: { rules: Rule[] }[];
          }
        ).groups,
    );
    const alerts = groups.flatMap((g) => g.rules).filter((r) => r.alert !== undefined);
    expect(alerts.length).toBeGreaterThan(0);
    const runbook = readFileSync(join(ROOT, 'docs/runbook.md'), 'utf8');
    const anchors = new Set(
      [...runbook.matchAll(/^#{2,3} (.+)$/gm)].map((m) => anchor(m[1] ?? '')),
    );
    for (const rule of alerts) {
      const url = rule.annotations?.runbook_url;
      expect(url, rule.alert).toBe(`docs/runbook.md#${anchor(rule.alert ?? '')}`);
      expect(anchors.has(anchor(rule.alert ?? '')), `${rule.alert} has a section`).toBe(true);
    }
  });
});

describe('deploy/kubernetes', () => {
  it('is generated from probes/default.yaml and deploy/prometheus, and valid against the schemas', () => {
    const out = execFileSync(
      process.execPath,
      [join(ROOT, 'scripts/check-deploy-kubernetes.mjs')],
      {
        encoding: 'utf8',
      },
    );
    for (const kind of ['DaemonSet', 'ConfigMap', 'Service', 'ServiceMonitor', 'PrometheusRule']) {
      expect(out).toMatch(new RegExp(`: ${kind}/mxprobe: valid$`, 'm'));
    }
  });

  it('the DaemonSet runs non-root on the host network with a read-only root and no capabilities', () => {
    interface Container {
      securityContext?: unknown;
      readinessProbe?: { httpGet?: { path?: string } };
      resources?: { limits?: { memory?: string } };
    }
    const ds = parse(readFileSync(join(ROOT, 'deploy/kubernetes/daemonset.yaml'), 'utf8')) as {
      spec: {
        template: {
          spec: {
            hostNetwork?: boolean;
            tolerations?: unknown;
            securityContext?: unknown;
            containers: Container[];
          };
        };
      };
    };
    const pod = ds.spec.template.spec;
    expect(pod.hostNetwork).toBe(true);
    expect(pod.tolerations).toEqual([{ operator: 'Exists' }]);
    const [container] = pod.containers;
    expect(container?.securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    });
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65532 });
    expect(container?.readinessProbe?.httpGet?.path).toBe('/-/ready');
    expect(container?.resources?.limits?.memory).toBeDefined();
  });
});
