// Two labs on one machine: a second instance comes up while the suite's own lab is up, each VM
// reaches its own DNS and mail servers, a scenario applied in one does not reach the other, and
// removing one (`npm run lab -- down --instance X`, or its owner's down()) leaves the other
// exactly as it was: same namespaces, same processes, same files, still answering.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labNames, MAX_INSTANCE_NAME_LENGTH, namespaceList } from '../../lab/instance.js';
import { Lab } from '../../lab/lab.js';
import type { Report } from '../../src/types.js';
import { findHost } from '../../lab/zone.js';
import { askFrom, connectFrom, expectNothingLeft, lab, runCli } from './helpers.js';

/**
 * The second instance's name, derived from the suite's so that two suites running at once
 * (MXLAB_INSTANCE=t1 and t2) bring up different second labs: t1 → t1x, the default lab → labx.
 */
function siblingName(instance: string | undefined): string {
  const base = instance ?? 'lab';
  if (base.length < MAX_INSTANCE_NAME_LENGTH) return `${base}x`;
  return `${base.slice(0, -1)}${base.endsWith('x') ? 'y' : 'x'}`;
}

const other = new Lab({ names: labNames(siblingName(lab.names.instance)) });
const mx = findHost('mx1.alpha.example');

/** What a user sees from a VM: a TCP connect to an MX host on 25, and its A record. */
async function reach(from: Lab): Promise<{ connect: string; dns: unknown }> {
  const [connect, dns] = await Promise.all([
    connectFrom(from, mx.ipv4, 25),
    askFrom(from, 'A', mx.name),
  ]);
  return { connect, dns };
}
const WORKS = { connect: 'connected', dns: [mx.ipv4] };

/** Everything of an instance that exists, to compare before and after the other one goes. */
function snapshot(of: Lab): { namespaces: string[]; pids: number[]; files: string[] } {
  const left = of.leftovers();
  return {
    namespaces: left.namespaces,
    pids: [...left.pids].sort((a, b) => a - b),
    files: left.files,
  };
}

beforeAll(async () => {
  lab.apply('open');
  await other.up();
});

afterAll(async () => {
  other.down();
  // Give the remaining test files their lab back, whatever happened here.
  if (lab.leftovers().namespaces.length < 3) await lab.up();
  lab.apply('open');
  expectNothingLeft(other);
});

describe('a second lab instance next to the suite’s', () => {
  it('has names of its own: no namespace, process or file in common', () => {
    const mine = snapshot(lab);
    const its = snapshot(other);
    expect(mine.namespaces).toEqual(namespaceList(lab.names));
    expect(its.namespaces).toEqual(namespaceList(other.names));
    expect(its.pids.length).toBeGreaterThanOrEqual(2); // dnsmasq and the mail servers
    expect(mine.namespaces.filter((n) => its.namespaces.includes(n))).toEqual([]);
    expect(mine.pids.filter((p) => its.pids.includes(p))).toEqual([]);
    expect(mine.files.filter((f) => its.files.includes(f))).toEqual([]);
  });

  it('each VM resolves and connects through its own lab', async () => {
    expect(await reach(lab)).toEqual(WORKS);
    expect(await reach(other)).toEqual(WORKS);
  });

  it('a scenario applied in one instance does not reach the other', async () => {
    lab.apply('reject25');
    other.apply('dns-down');
    const [mine, its] = await Promise.all([reach(lab), reach(other)]);
    expect(mine).toEqual({ connect: 'ECONNREFUSED', dns: [mx.ipv4] });
    expect(its.connect).toBe('connected');
    expect(its.dns).toMatch(/^(ETIMEOUT|ECONNREFUSED|ESERVFAIL)$/);

    other.apply('open');
    expect(await reach(lab)).toEqual({ connect: 'ECONNREFUSED', dns: [mx.ipv4] });
    lab.apply('open');
    expect(await reach(other)).toEqual(WORKS);
  });

  it('`down --instance` removes that instance and leaves the suite’s lab as it was', async () => {
    const before = snapshot(lab);
    const run = await runCli(['down', '--instance', other.names.instance ?? '']);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(`removed ${other.names.namespaces.vm}, `);
    for (const ns of namespaceList(lab.names)) expect(run.stderr).not.toContain(` ${ns},`);
    expectNothingLeft(other);
    expect(snapshot(lab)).toEqual(before);
    expect(await reach(lab)).toEqual(WORKS);
  });

  it('taking the suite’s lab down leaves a running second instance as it was', async () => {
    await other.up();
    const before = snapshot(other);
    lab.down();
    expectNothingLeft(lab);
    expect(snapshot(other)).toEqual(before);
    expect(await reach(other)).toEqual(WORKS);
    await lab.up();
    other.down();
    expectNothingLeft(other);
    expect(await reach(lab)).toEqual(WORKS);
  });

  it('`npm run lab -- open --instance X` runs while the suite’s lab is up, and removes only its own', async () => {
    const before = snapshot(lab);
    const run = await runCli(['open', '--json', '--instance', other.names.instance ?? '']);
    const report = JSON.parse(run.stdout) as Report;
    expect({ exit: run.code, diagnosis: report.diagnosis.code }).toEqual({
      exit: 0,
      diagnosis: 'ok',
    });
    expect(run.stderr).toContain(`creating namespaces ${other.names.namespaces.vm}`);
    expectNothingLeft(other);
    expect(snapshot(lab)).toEqual(before);
  });

  it('refuses to replace an instance another live process owns, naming that instance', async () => {
    await other.up(); // owned by this test process, which is alive
    const run = await runCli(['open', '--instance', other.names.instance ?? '']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      `a lab is already up (started by pid ${process.pid}); wait for it, or remove it with: npm run lab -- down --instance ${other.names.instance}`,
    );
    expect(other.leftovers().namespaces).toEqual(namespaceList(other.names));
    other.down();
    expectNothingLeft(other);
  });
});
