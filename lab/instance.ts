// Which lab this is, and every name that follows from it. Several labs can run side by side on
// one machine when each has its own instance name: its namespaces, links, /etc/netns entries
// and state directory are all derived here, and nothing else in the lab spells one out.
//
//   instance   namespaces                   links (each inside its namespace)          state
//   (default)  mxl-vm mxl-router mxl-inet   mxl-vm0 mxl-rt-vm mxl-rt-inet mxl-inet0    /run/mxlab
//   t1         mxlt1-vm mxlt1-router ...    mxlt1-vm0 mxlt1-rt-vm mxlt1-rt-in ...      /run/mxlab-t1
//
// Default names start with "mxl-", a named instance's with "mxl" and its name, which has no
// dash: no two instances can ever share a name. Cleanup matches these exact names, never a
// prefix, so it cannot reach another instance. Addresses inside the namespaces are the same in
// every instance: the namespaces keep them apart.

/** Where the instance comes from when no `--instance` is given. */
export const INSTANCE_ENV = 'MXLAB_INSTANCE';

/**
 * Linux interface names hold at most 15 characters (IFNAMSIZ is 16 bytes with the final NUL).
 * The longest link of a named instance is `mxl<name>-inet0`: 9 characters plus the name.
 */
export const MAX_LINK_NAME_LENGTH = 15;
export const MAX_INSTANCE_NAME_LENGTH = 6;
const INSTANCE_NAME = new RegExp(`^[a-z0-9]{1,${MAX_INSTANCE_NAME_LENGTH}}$`);

/** `ip netns exec NS` bind-mounts the files of /etc/netns/NS over /etc (resolv.conf here). */
const NETNS_ETC = '/etc/netns';

export interface LabNames {
  /** The instance name; undefined for the default lab. */
  instance: string | undefined;
  namespaces: { vm: string; router: string; inet: string };
  /** The two veth pairs: VM ↔ router, router ↔ internet. */
  links: { vm: string; routerVm: string; routerInet: string; inet: string };
  /** The parent of every namespace's /etc overlay (shared by all instances). */
  netnsEtc: string;
  /** The VM's /etc overlay, holding its resolv.conf. */
  vmEtc: string;
  /** Generated files (certificates, configs, logs, the owner pid). */
  stateDir: string;
}

/** A bad instance name, from the flag or the environment: one line that names the source. */
export class InstanceNameError extends Error {
  override name = 'InstanceNameError';
}

/** Checks an instance name; `source` says where it came from (`--instance`, MXLAB_INSTANCE). */
export function parseInstanceName(value: string, source: string): string {
  if (!INSTANCE_NAME.test(value)) {
    throw new InstanceNameError(
      `${source}: ${JSON.stringify(value)} is not a lab instance name (1 to ${MAX_INSTANCE_NAME_LENGTH} characters, a-z and 0-9)`,
    );
  }
  return value;
}

/** Every name of one instance; undefined is the default lab, with the names it always had. */
export function labNames(instance: string | undefined): LabNames {
  const prefix =
    instance === undefined ? 'mxl-' : `mxl${parseInstanceName(instance, 'lab instance')}-`;
  const namespaces = { vm: `${prefix}vm`, router: `${prefix}router`, inet: `${prefix}inet` };
  const links = {
    vm: `${prefix}vm0`,
    routerVm: `${prefix}rt-vm`,
    // A 6-character name leaves 5 for the link itself: "rt-inet" becomes "rt-in".
    routerInet: instance === undefined ? `${prefix}rt-inet` : `${prefix}rt-in`,
    inet: `${prefix}inet0`,
  };
  for (const link of Object.values(links)) {
    if (link.length > MAX_LINK_NAME_LENGTH)
      throw new Error(`lab link name ${link} is longer than ${MAX_LINK_NAME_LENGTH} characters`);
  }
  return {
    instance,
    namespaces,
    links,
    netnsEtc: NETNS_ETC,
    vmEtc: `${NETNS_ETC}/${namespaces.vm}`,
    stateDir: instance === undefined ? '/run/mxlab' : `/run/mxlab-${instance}`,
  };
}

/**
 * The instance named by MXLAB_INSTANCE, or the default lab when it is unset or empty; so the
 * test suite, the bench and every other driver follow one variable.
 */
export function labNamesFromEnv(env: NodeJS.ProcessEnv = process.env): LabNames {
  const value = env[INSTANCE_ENV];
  return labNames(
    value === undefined || value === '' ? undefined : parseInstanceName(value, INSTANCE_ENV),
  );
}

/** The command that removes this instance, for messages: `npm run lab -- down --instance t1`. */
export function downCommand(names: LabNames): string {
  return `npm run lab -- down${instanceFlag(names)}`;
}

/** ` --instance NAME` for a named instance, nothing for the default one. */
export function instanceFlag(names: LabNames): string {
  return names.instance === undefined ? '' : ` --instance ${names.instance}`;
}

/** Every namespace of the instance, in the order they are built. */
export const namespaceList = (names: LabNames): string[] => [
  names.namespaces.vm,
  names.namespaces.router,
  names.namespaces.inet,
];

/** Every link of the instance. */
export const linkList = (names: LabNames): string[] => [
  names.links.vm,
  names.links.routerVm,
  names.links.routerInet,
  names.links.inet,
];
