// While `npm test` and `npm run lab` install Debian packages, no service may start, and a
// machine's own policy-rc.d comes back as it was: checked against a throwaway root.
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FORBID_ALL, holdServices, withServicesHeld } from '../../../scripts/hold-services.mjs';

function fakeRoot(existingPolicy?: string): { root: string; policy: string } {
  const root = mkdtempSync(join(tmpdir(), 'mxprobe-policy-'));
  mkdirSync(join(root, 'usr/sbin'), { recursive: true });
  const policy = join(root, 'usr/sbin/policy-rc.d');
  if (existingPolicy !== undefined) {
    writeFileSync(policy, existingPolicy);
    chmodSync(policy, 0o700);
  }
  return { root, policy };
}

describe('services held while packages install', () => {
  it('forbids every start with an executable policy-rc.d that exits 101, and removes it after', () => {
    const { root, policy } = fakeRoot();
    const seen = withServicesHeld(
      () => ({
        text: readFileSync(policy, 'utf8'),
        mode: statSync(policy).mode & 0o777,
      }),
      root,
    );
    expect(seen.text).toBe(FORBID_ALL);
    expect(seen.text).toMatch(/\nexit 101\n$/);
    expect(seen.mode).toBe(0o755);
    expect(existsSync(policy)).toBe(false);
    expect(existsSync(`${policy}.before-mxprobe`)).toBe(false);
  });

  it("puts the machine's own policy back, same bytes and mode, also when the install throws", () => {
    const own = '#!/bin/sh\nexit 0\n';
    const { root, policy } = fakeRoot(own);
    expect(() =>
      withServicesHeld(() => {
        expect(readFileSync(policy, 'utf8')).toBe(FORBID_ALL);
        throw new Error('apt-get failed');
      }, root),
    ).toThrow('apt-get failed');
    expect(readFileSync(policy, 'utf8')).toBe(own);
    expect(statSync(policy).mode & 0o777).toBe(0o700);
    expect(existsSync(`${policy}.before-mxprobe`)).toBe(false);
  });

  it('after a run that died holding, restores the original rather than keeping ours', () => {
    const own = '#!/bin/sh\nexit 0\n';
    const { root, policy } = fakeRoot(own);
    holdServices(root); // never released: the process died during apt-get
    expect(readFileSync(policy, 'utf8')).toBe(FORBID_ALL);
    withServicesHeld(() => undefined, root);
    expect(readFileSync(policy, 'utf8')).toBe(own);
  });
});
