import { describe, expect, it } from 'vitest';
import { authResultsFields, readAuthResults } from '../../../src/canary/auth-results.js';

describe("Authentication-Results: the receiver's spf, dkim and dmarc", () => {
  it.each([
    [
      'Gmail-style, with properties and comments',
      'mx.google.com; dkim=pass header.i=@example.com header.s=s1; spf=pass (google.com: domain of a@example.com designates 198.51.100.7 as permitted sender) smtp.mailfrom=a@example.com; dmarc=pass (p=REJECT sp=REJECT dis=NONE) header.from=example.com',
      { spf: 'pass', dkim: 'pass', dmarc: 'pass' },
    ],
    [
      'no results at all',
      'mx.example.net; none',
      { spf: 'missing', dkim: 'missing', dmarc: 'missing' },
    ],
    [
      'a comment holding ";" and "dkim=pass" is not a result',
      'mx.example.net; spf=softfail (sender; dkim=pass in a comment) smtp.mailfrom=x; dmarc=fail',
      { spf: 'softfail', dkim: 'missing', dmarc: 'fail' },
    ],
    [
      'several signatures: one that passed counts',
      'mx.example.net; dkim=fail header.d=a.example; dkim=pass header.d=b.example; spf=neutral',
      { spf: 'neutral', dkim: 'pass', dmarc: 'missing' },
    ],
    [
      'a version after the authserv-id and methods in upper case',
      'mx.example.net 1; SPF=TempError smtp.mailfrom=x; DKIM/1=permerror; dmarc=none',
      { spf: 'temperror', dkim: 'permerror', dmarc: 'none' },
    ],
    [
      'a result mxprobe does not know reads as missing',
      'mx.example.net; spf=hardfail; dkim=policy',
      { spf: 'missing', dkim: 'policy', dmarc: 'missing' },
    ],
  ])('%s', (_name, field, expected) => {
    expect(readAuthResults([field])).toEqual(expected);
  });

  it('only the topmost field counts: the ones below are older hops or forged by the sender', () => {
    const headers = [
      'Authentication-Results: mx.example.net;',
      '  spf=fail smtp.mailfrom=example.com;',
      '\tdmarc=fail header.from=example.com',
      'Authentication-Results: forged.example; spf=pass; dkim=pass; dmarc=pass',
      'X-Other: 1',
      '',
    ].join('\r\n');
    const fields = authResultsFields(headers);
    expect(fields).toHaveLength(2);
    expect(readAuthResults(fields)).toEqual({ spf: 'fail', dkim: 'missing', dmarc: 'fail' });
  });

  it('no field: every method missing', () => {
    expect(authResultsFields('Subject: hi\r\n')).toEqual([]);
    expect(readAuthResults([])).toEqual({ spf: 'missing', dkim: 'missing', dmarc: 'missing' });
  });
});
