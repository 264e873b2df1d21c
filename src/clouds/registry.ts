// The clouds mxprobe knows, in the order detection weighs them (Azure first, OpenStack last). Adding a cloud
// is one module beside these (see cloud.ts) and one line here: detection, the config keys
// (`cloudDetection.<id>Url`), the report's environment, the advice and the labels of
// `mxprobe_environment_info` all iterate this list.

import { alibaba } from './alibaba.js';
import { aws } from './aws.js';
import { azure } from './azure.js';
import type { AnyCloud, CloudModule } from './cloud.js';
import { digitalocean } from './digitalocean.js';
import { gcp } from './gcp.js';
import { hetzner } from './hetzner.js';
import { linode } from './linode.js';
import { openstack } from './openstack.js';
import { oracle } from './oracle.js';
import { scaleway } from './scaleway.js';
import { upcloud } from './upcloud.js';
import { vultr } from './vultr.js';
import type { Cloud, CloudFactsById } from '../types.js';

// OpenStack last: it is the generic platform under several specific ones.
export const CLOUDS = [
  azure,
  aws,
  gcp,
  oracle,
  digitalocean,
  hetzner,
  linode,
  vultr,
  scaleway,
  alibaba,
  upcloud,
  openstack,
] as const;

type Registered = (typeof CLOUDS)[number];
type FactsOf<M> = M extends CloudModule<string, infer Facts> ? Facts : never;

export type CloudId = Registered['id'];
export type { Cloud, CloudFactsById } from '../types.js';
/** Each registered cloud's facts under its id; types.ts's CloudFactsById is made of these. */
type RegisteredFacts = { [M in Registered as M['id']]?: FactsOf<M> };

declare module '../types.js' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- the members come from RegisteredFacts
  interface CloudFactsById extends RegisteredFacts {}
}
/** What detection concludes: the cloud, and its facts under its own key. */
export type CloudFacts = { cloud: Cloud } & CloudFactsById;

/** The registered clouds as the generic interface, for code that iterates them. */
export const REGISTERED_CLOUDS: readonly AnyCloud[] = CLOUDS;

/** The config key that holds a cloud's metadata base URL. */
export function metadataUrlKey(cloud: AnyCloud): string {
  return `${cloud.id}Url`;
}

/** Every cloud's standard metadata URL, by cloud id. */
export function defaultMetadataUrls(
  clouds: readonly AnyCloud[] = REGISTERED_CLOUDS,
): Record<string, string> {
  return Object.fromEntries(clouds.map((c) => [c.id, c.defaultMetadataUrl]));
}

/** The labels of `mxprobe_environment_info`: `cloud`, then every label a cloud declares. */
export function environmentLabelNames(clouds: readonly AnyCloud[] = REGISTERED_CLOUDS): string[] {
  return ['cloud', ...new Set(clouds.flatMap((c) => c.metricLabelNames))];
}
