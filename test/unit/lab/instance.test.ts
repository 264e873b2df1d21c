import { describe, expect, it } from 'vitest';
import {
  downCommand,
  InstanceNameError,
  labNames,
  labNamesFromEnv,
  linkList,
  MAX_INSTANCE_NAME_LENGTH,
  MAX_LINK_NAME_LENGTH,
  namespaceList,
  parseInstanceName,
} from '../../../lab/instance.js';

describe('lab instance names', () => {
  it('the default instance keeps the names the lab always had', () => {
    expect(labNames(undefined)).toEqual({
      instance: undefined,
      namespaces: { vm: 'mxl-vm', router: 'mxl-router', inet: 'mxl-inet' },
      links: {
        vm: 'mxl-vm0',
        routerVm: 'mxl-rt-vm',
        routerInet: 'mxl-rt-inet',
        inet: 'mxl-inet0',
      },
      netnsEtc: '/etc/netns',
      vmEtc: '/etc/netns/mxl-vm',
      stateDir: '/run/mxlab',
    });
    expect(downCommand(labNames(undefined))).toBe('npm run lab -- down');
  });

  it('a named instance gets its own namespaces, links, /etc/netns entry and state directory', () => {
    expect(labNames('t1')).toEqual({
      instance: 't1',
      namespaces: { vm: 'mxlt1-vm', router: 'mxlt1-router', inet: 'mxlt1-inet' },
      links: {
        vm: 'mxlt1-vm0',
        routerVm: 'mxlt1-rt-vm',
        routerInet: 'mxlt1-rt-in',
        inet: 'mxlt1-inet0',
      },
      netnsEtc: '/etc/netns',
      vmEtc: '/etc/netns/mxlt1-vm',
      stateDir: '/run/mxlab-t1',
    });
    expect(downCommand(labNames('t1'))).toBe('npm run lab -- down --instance t1');
  });

  it('every link name of the longest instance name fits Linux’s 15 characters', () => {
    const longest = labNames('z'.repeat(MAX_INSTANCE_NAME_LENGTH));
    const lengths = linkList(longest).map((l) => l.length);
    expect(Math.max(...lengths)).toBe(MAX_LINK_NAME_LENGTH);
  });

  it.each([['rt'], ['vm'], ['inet'], ['lab'], ['0'], ['zzzzzz']])(
    'instance %s shares no namespace, link or path with the default instance',
    (name) => {
      const all = (n: ReturnType<typeof labNames>): string[] => [
        ...namespaceList(n),
        ...linkList(n),
        n.vmEtc,
        n.stateDir,
      ];
      const mine = all(labNames(name));
      expect(all(labNames(undefined)).filter((x) => mine.includes(x))).toEqual([]);
      // Nor does one instance's state directory hold another's.
      expect(labNames(name).stateDir.startsWith(`${labNames(undefined).stateDir}/`)).toBe(false);
    },
  );

  it('two named instances share no name', () => {
    const names = ['a', 'ab', 'a1', 'b'].map(labNames);
    const every = names.flatMap((n) => [...namespaceList(n), ...linkList(n), n.stateDir]);
    expect(new Set(every).size).toBe(every.length);
  });

  it.each([
    ['T1', '--instance'],
    ['lab-2', '--instance'],
    ['abcdefg', '--instance'],
    ['', '--instance'],
    ['../x', 'MXLAB_INSTANCE'],
    ['a b', 'MXLAB_INSTANCE'],
  ])('rejects %j from %s in one line naming the source', (value, source) => {
    expect(() => parseInstanceName(value, source)).toThrow(
      new InstanceNameError(
        `${source}: ${JSON.stringify(value)} is not a lab instance name (1 to 6 characters, a-z and 0-9)`,
      ),
    );
  });

  it('follows MXLAB_INSTANCE; unset or empty is the default lab', () => {
    expect(labNamesFromEnv({}).namespaces.vm).toBe('mxl-vm');
    expect(labNamesFromEnv({ MXLAB_INSTANCE: '' }).namespaces.vm).toBe('mxl-vm');
    expect(labNamesFromEnv({ MXLAB_INSTANCE: 'ci' }).namespaces.vm).toBe('mxlci-vm');
    expect(() => labNamesFromEnv({ MXLAB_INSTANCE: 'CI' })).toThrow(/^MXLAB_INSTANCE: "CI"/);
  });
});
