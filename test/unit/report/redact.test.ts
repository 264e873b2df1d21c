// What /status shows a client that has not authenticated: the same report, with the ids of the
// cloud account and the machine replaced, wherever they appear.
import { describe, expect, it } from 'vitest';
import { cloudAdvice } from '../../../src/clouds/advice.js';
import { redactIdentifiers } from '../../../src/report/redact.js';
import type { Report } from '../../../src/types.js';
import { azureBlockedReport, port25BlockedReport } from '../../helpers/report-fixtures.js';

function onCloud(environment: Report['environment']): Report {
  const report = port25BlockedReport();
  return {
    ...report,
    environment,
    diagnosis: { ...report.diagnosis, advice: cloudAdvice(environment) },
  };
}

describe('redactIdentifiers', () => {
  it('Azure: subscription and VM id go, from the environment and from the advice', () => {
    const report = azureBlockedReport();
    expect(report.diagnosis.advice.join(' ')).toContain('8d10da13-8125-4ba9-a717-bf7490507b3d');
    const shown = redactIdentifiers(report);
    expect(shown.environment.azure).toEqual({
      subscriptionId: 'redacted',
      location: 'westeurope',
      vmId: 'redacted',
    });
    const text = JSON.stringify(shown);
    expect(text).not.toContain('8d10da13-8125-4ba9-a717-bf7490507b3d');
    expect(text).not.toContain('02aab8a4-74ef-476e-8182-f6d2ba4166a6');
    expect(shown.diagnosis.advice[0]).toContain('subscription redacted (westeurope)');
    expect(shown.redacted).toEqual(['environment.azure.subscriptionId', 'environment.azure.vmId']);
    // Everything else is the report as it was.
    expect({ ...shown, environment: report.environment, diagnosis: report.diagnosis }).toEqual({
      ...report,
      redacted: shown.redacted,
    });
  });

  it('AWS: account and instance id go, the region stays', () => {
    const shown = redactIdentifiers(
      onCloud({
        cloud: 'aws',
        hostname: 'vm1',
        families: { '4': 'ok' },
        aws: {
          region: 'eu-central-1',
          instanceId: 'i-0abcdef1234567890',
          accountId: '123456789012',
        },
      }),
    );
    expect(shown.environment.aws).toEqual({
      region: 'eu-central-1',
      instanceId: 'redacted',
      accountId: 'redacted',
    });
    expect(JSON.stringify(shown)).not.toMatch(/123456789012|i-0abcdef1234567890/);
  });

  it('GCP: the project id goes, the zone stays', () => {
    const shown = redactIdentifiers(
      onCloud({
        cloud: 'gcp',
        hostname: 'vm1',
        families: { '4': 'ok' },
        gcp: { projectId: 'acme-mail-prod', zone: 'europe-west1-b' },
      }),
    );
    expect(shown.environment.gcp).toEqual({ projectId: 'redacted', zone: 'europe-west1-b' });
    expect(JSON.stringify(shown)).not.toContain('acme-mail-prod');
  });

  it('a machine outside a cloud, or a cloud that gave no ids: the report as it is', () => {
    const plain = port25BlockedReport();
    expect(redactIdentifiers(plain)).toEqual(plain);
    const silent = onCloud({
      cloud: 'azure',
      hostname: 'vm1',
      families: { '4': 'ok' },
      azure: { subscriptionId: null, location: null, vmId: null },
    });
    expect(redactIdentifiers(silent)).toEqual(silent);
  });
});
