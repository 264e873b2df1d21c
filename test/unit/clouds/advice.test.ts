import { describe, expect, it } from 'vitest';
import { cloudAdvice } from '../../../src/clouds/advice.js';
import type { Environment } from '../../../src/types.js';

const base: Environment = { cloud: 'none', hostname: 'vm1', families: { '4': 'ok' } };

const azure: Environment = {
  ...base,
  cloud: 'azure',
  azure: {
    subscriptionId: '8d10da13-8125-4ba9-a717-bf7490507b3d',
    location: 'westeurope',
    vmId: '02aab8a4-74ef-476e-8182-f6d2ba4166a6',
  },
};

/** One or two sentences per entry (a sentence ends in . ! or ? followed by a space or the end). */
function sentences(entry: string): number {
  return entry.split(/[.!?](?:\s|$)/).filter((part) => part.trim() !== '').length;
}

describe('cloudAdvice', () => {
  it.each<[string, Environment]>([
    ['azure', azure],
    [
      'azure without IMDS facts',
      { ...base, cloud: 'azure', azure: { subscriptionId: null, location: null, vmId: null } },
    ],
    [
      'aws',
      {
        ...base,
        cloud: 'aws',
        aws: { region: 'eu-central-1', instanceId: 'i-0abc', accountId: '123456789012' },
      },
    ],
    ['gcp', { ...base, cloud: 'gcp', gcp: { projectId: 'my-project', zone: 'europe-west1-b' } }],
    ['none', base],
  ])('%s: short entries, no empty ones', (_name, env) => {
    const advice = cloudAdvice(env);
    expect(advice.length).toBeGreaterThan(0);
    for (const entry of advice) {
      expect(entry.trim()).not.toBe('');
      expect(sentences(entry)).toBeLessThanOrEqual(2);
    }
  });

  describe('azure (seed 001, 2023, over the 2017 announcement)', () => {
    const advice = cloudAdvice(azure);
    const text = advice.join('\n');

    it('names the cloud and the subscription', () => {
      expect(advice[0]).toMatch(/Azure/);
      expect(advice[0]).toContain('subscription 8d10da13-8125-4ba9-a717-bf7490507b3d');
      expect(advice[0]).toContain('westeurope');
    });

    it('says EA and MCA-E are not blocked', () => {
      expect(text).toMatch(/EA and MCA-E subscriptions are not blocked/);
    });

    it('recommends an authenticated relay on 587', () => {
      expect(text).toMatch(/authenticated relay on port 587/);
      expect(text).toMatch(/Azure Communication Services/);
      expect(text).toMatch(/SendGrid/);
    });

    it('gives the Dev/Test self-exemption through the portal diagnostic', () => {
      const entry = advice.find((e) => e.includes('Dev/Test')) ?? '';
      expect(entry).toMatch(/blocked by default/);
      expect(entry).toContain('"Cannot send email (SMTP-Port 25)"');
      expect(entry).toContain('Diagnose and Solve');
      expect(entry).toMatch(/virtual network/);
    });

    it('says the VMs must be stopped, deallocated and started after an exemption', () => {
      expect(text).toMatch(/stopped, deallocated and started again/);
    });

    it('warns that leaving EA/MCA-E can bring the block back', () => {
      expect(text).toMatch(/away from EA or MCA-E can bring the block back/);
    });

    it('mentions the 2017 rules only as history', () => {
      const mentions = advice.filter((e) => /pay-as-you-go|MSDN|BizSpark|Free Trial/i.test(e));
      expect(mentions).toHaveLength(1);
      expect(mentions[0]).toMatch(/^History: the November 2017 announcement/);
      for (const name of [
        'MSDN',
        'Azure Pass',
        'Azure in Open',
        'Education',
        'BizSpark',
        'Free Trial',
      ]) {
        expect(mentions[0]).toContain(name);
      }
    });

    it('stays general about the subscription when IMDS gave no facts', () => {
      const first = cloudAdvice({ ...base, cloud: 'azure' })[0];
      expect(first).toContain('an Azure subscription');
      expect(first).not.toMatch(/null|undefined/);
    });
  });

  it('aws: dated, names the removal form and SES', () => {
    const advice = cloudAdvice({
      ...base,
      cloud: 'aws',
      aws: { region: 'eu-central-1', instanceId: 'i-0abc', accountId: '123456789012' },
    });
    const text = advice.join('\n');
    expect(advice[0]).toMatch(/AWS EC2 \(eu-central-1, account 123456789012\)/);
    expect(text).toContain('as documented by AWS (2024)');
    expect(text).toContain('"Request to remove email sending limitations"');
    expect(text).toMatch(/Amazon SES/);
    expect(text).toMatch(/587 or 465/);
  });

  it('gcp: dated, no exemption, relays on 587/465', () => {
    const advice = cloudAdvice({
      ...base,
      cloud: 'gcp',
      gcp: { projectId: 'my-project', zone: null },
    });
    const text = advice.join('\n');
    expect(advice[0]).toContain('Google Compute Engine (project my-project)');
    expect(text).toContain('as documented by Google Cloud (2024)');
    expect(text).toMatch(/no request form/);
    expect(text).toMatch(/587 or 465/);
    for (const relay of ['SendGrid', 'Mailgun', 'Mailjet', 'Google Workspace']) {
      expect(text).toContain(relay);
    }
  });

  it('none: general advice, no cloud named', () => {
    const text = cloudAdvice(base).join('\n');
    expect(text).toMatch(/provider or the network administrator/);
    expect(text).toMatch(/587/);
    expect(text).toMatch(/465/);
    expect(text).not.toMatch(/Azure|AWS|Google/);
  });
});
