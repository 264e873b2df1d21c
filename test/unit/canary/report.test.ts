import { describe, expect, it } from 'vitest';
import { withCanaries } from '../../../src/canary/report.js';
import type { CanaryReport } from '../../../src/canary/types.js';
import { renderReport } from '../../../src/report/render.js';
import { seriesFromReport } from '../../../src/report/series.js';
import { allOpenReport } from '../../helpers/report-fixtures.js';

const LOST: CanaryReport = {
  name: 'ops-inbox',
  relay: 'sendgrid',
  status: 'lost',
  seconds: null,
  folder: null,
  auth: null,
  reply: '250 2.0.0 Ok: queued',
  startedAt: '2026-12-01T10:00:00.000Z',
};
const SPAM: CanaryReport = {
  ...LOST,
  name: 'ops-junk',
  status: 'spam',
  seconds: 3.2,
  folder: 'Junk',
  auth: { spf: 'pass', dkim: 'fail', dmarc: 'fail' },
};

describe('the canaries in the report', () => {
  it('no canary configured: the report is unchanged, no canaries key', () => {
    const report = allOpenReport();
    expect(withCanaries(report, [])).toBe(report);
    expect('canaries' in withCanaries(report, [])).toBe(false);
  });

  it('canaries[] beside the diagnosis, whose code stays; hints and advice added once', () => {
    const report = withCanaries(allOpenReport(), [LOST, SPAM]);
    expect(report.canaries?.map((c) => c.status)).toEqual(['lost', 'spam']);
    expect(report.diagnosis.code).toBe('ok');
    expect(report.diagnosis.hints).toEqual(expect.arrayContaining(['canary-lost', 'canary-spam']));
    expect(report.diagnosis.advice.some((a) => a.startsWith('A canary message was accepted'))).toBe(
      true,
    );
    const again = withCanaries(report, [LOST]);
    expect(again.diagnosis.hints.filter((h) => h === 'canary-lost')).toHaveLength(1);
  });

  it('the human output has a Delivery section, and the metrics the canary series', () => {
    const report = withCanaries(allOpenReport(), [LOST, SPAM]);
    const text = renderReport(report, { color: false, width: 100 });
    expect(text).toContain('Delivery\n  ops-inbox via sendgrid: LOST');
    expect(text).toContain(
      'ops-junk via sendgrid: filed as SPAM in Junk after 3.2 s (spf pass, dkim fail, dmarc fail)',
    );
    expect(renderReport(allOpenReport(), { color: false, width: 100 })).not.toContain('Delivery');
    const series = seriesFromReport(report);
    expect(series.canaryStatus.filter((s) => s.value === 1).map((s) => s.labels)).toEqual([
      { canary: 'ops-inbox', status: 'lost' },
      { canary: 'ops-junk', status: 'spam' },
    ]);
    expect(series.canaryDeliverySeconds).toEqual([{ labels: { canary: 'ops-junk' }, value: 3.2 }]);
  });
});
