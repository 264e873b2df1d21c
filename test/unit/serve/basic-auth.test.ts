// Basic authentication against bcrypt hashes, and the TLS client-certificate policies: who gets
// in, what it costs, and when a verified certificate counts as proof of who the client is.
import { hashSync } from 'bcryptjs';
import { describe, expect, it } from 'vitest';
import { BasicAuth, parseBasicAuthorization, type Compare } from '../../../src/serve/basic-auth.js';
import {
  certificateAuthenticates,
  clientCertificateRefusal,
  type PeerFacts,
} from '../../../src/serve/tls-listener.js';

const basic = (credentials: string): string =>
  `Basic ${Buffer.from(credentials).toString('base64')}`;

describe('parseBasicAuthorization', () => {
  it.each([
    [basic('prometheus:s3cret'), { user: 'prometheus', password: 's3cret' }],
    [basic('prometheus:pass:with:colons'), { user: 'prometheus', password: 'pass:with:colons' }],
    [basic('prometheus:'), { user: 'prometheus', password: '' }],
    [`basic ${Buffer.from('a:b').toString('base64')}`, { user: 'a', password: 'b' }],
    [basic('grüße:pässword'), { user: 'grüße', password: 'pässword' }],
    [basic('no-colon'), undefined],
    ['Bearer abc', undefined],
    ['Basic', undefined],
    ['Basic !!!', undefined],
    [undefined, undefined],
  ])('%s → %j', (header, expected) => {
    expect(parseBasicAuthorization(header)).toEqual(expected);
  });
});

describe('BasicAuth', () => {
  // Cost 4: the real bcrypt, fast enough for a unit test.
  const users = new Map([
    ['prometheus', hashSync('s3cret', 4)],
    ['ops', hashSync('other', 4)],
  ]);

  it('lets a known user with the right password in, and nobody else', async () => {
    const auth = new BasicAuth(users);
    expect(await auth.verify(basic('prometheus:s3cret'))).toBe('prometheus');
    expect(await auth.verify(basic('ops:other'))).toBe('ops');
    expect(await auth.verify(basic('prometheus:other'))).toBeUndefined();
    expect(await auth.verify(basic('prometheus:S3cret'))).toBeUndefined();
    expect(await auth.verify(basic('nobody:s3cret'))).toBeUndefined();
    expect(await auth.verify(undefined)).toBeUndefined();
  });

  it('runs bcrypt once per credentials, not once per scrape', async () => {
    const checks: string[] = [];
    const counting: Compare = async (password, hash) => {
      checks.push(password);
      return (await import('bcryptjs')).compare(password, hash);
    };
    const auth = new BasicAuth(users, counting);
    const results = await Promise.all(
      Array.from({ length: 5 }, () => auth.verify(basic('prometheus:s3cret'))),
    );
    for (let scrape = 0; scrape < 20; scrape += 1) await auth.verify(basic('prometheus:s3cret'));
    expect(results).toEqual(Array(5).fill('prometheus'));
    expect(checks).toEqual(['s3cret']);
    await auth.verify(basic('prometheus:wrong'));
    await auth.verify(basic('prometheus:wrong'));
    expect(checks).toEqual(['s3cret', 'wrong']);
  });

  it('checks an unknown user against a hash too, so timing does not tell who exists', async () => {
    const hashes: string[] = [];
    const auth = new BasicAuth(users, (_password, hash) => {
      hashes.push(hash);
      return Promise.resolve(false);
    });
    expect(await auth.verify(basic('nobody:s3cret'))).toBeUndefined();
    expect(hashes).toHaveLength(1);
    expect(hashes[0]).toMatch(/^\$2b\$10\$/);
  });

  it('runs one bcrypt at a time', async () => {
    let running = 0;
    let most = 0;
    const auth = new BasicAuth(users, async () => {
      running += 1;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running -= 1;
      return false;
    });
    await Promise.all(Array.from({ length: 6 }, (_, i) => auth.verify(basic(`prometheus:${i}`))));
    expect(most).toBe(1);
  });

  it('keeps at most 100 verdicts', async () => {
    const checks: string[] = [];
    const auth = new BasicAuth(users, (password) => {
      checks.push(password);
      return Promise.resolve(false);
    });
    for (let i = 0; i < 150; i += 1) await auth.verify(basic(`prometheus:guess${i}`));
    // The newest are still known; the oldest were dropped and cost a bcrypt again.
    await auth.verify(basic('prometheus:guess149'));
    await auth.verify(basic('prometheus:guess0'));
    expect(checks.slice(150)).toEqual(['guess0']);
  });
});

function peer(certificate: boolean, authorized: boolean): PeerFacts {
  return {
    authorized,
    getPeerCertificate: () => (certificate ? { subject: { CN: 'prometheus' } } : {}) as never,
  };
}

describe('client certificate policies (exporter-toolkit client_auth_type)', () => {
  it.each([
    ['NoClientCert', peer(false, false), undefined, false],
    ['RequestClientCert', peer(false, false), undefined, false],
    ['RequestClientCert', peer(true, true), undefined, false],
    ['RequireAnyClientCert', peer(false, false), 'no client certificate', false],
    ['RequireAnyClientCert', peer(true, false), undefined, false],
    ['VerifyClientCertIfGiven', peer(false, false), undefined, false],
    [
      'VerifyClientCertIfGiven',
      peer(true, false),
      'the client certificate is not signed by client_ca_file',
      false,
    ],
    ['VerifyClientCertIfGiven', peer(true, true), undefined, true],
    ['RequireAndVerifyClientCert', peer(false, false), 'no client certificate', false],
    ['RequireAndVerifyClientCert', peer(true, true), undefined, true],
  ] as const)('%s, %j: refused %j, authenticated %j', (policy, socket, refusal, proves) => {
    expect(clientCertificateRefusal(policy, socket)).toBe(refusal);
    expect(certificateAuthenticates(policy, socket)).toBe(proves);
  });
});
