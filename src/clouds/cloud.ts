// What a cloud platform module gives mxprobe: how to recognise the platform from this
// machine's firmware, how to ask its instance-metadata service, what to advise when port 25 is
// blocked there, and which labels describe where the VM runs. One file per cloud implements
// it; clouds/registry.ts lists them, and detection, config keys, advice and metric labels
// iterate that list (node_exporter's collector registration is the model). It may also say
// which public addresses the VM has and who sets their PTR records (CONTRACT §10).
//
// A module is pure apart from the injected fetch: it never reaches the network on its own.

import type { PortPolicy } from '../types.js';

export type { PortPolicy } from '../types.js';

/** The DMI fields cloud-init's ds-identify reads to tell platforms apart. */
export const DMI_FIELDS = [
  'sys_vendor',
  'bios_vendor',
  'product_name',
  'chassis_asset_tag',
] as const;
export type DmiField = (typeof DMI_FIELDS)[number];

/** What the firmware says about the machine; '' for a field that cannot be read. */
export type Dmi = Readonly<Record<DmiField, string>>;

/** How a metadata query reaches the service: the fetch to use, and its deadline. */
export interface MetadataContext {
  fetch: typeof fetch;
  signal: AbortSignal;
}

export interface CloudModule<Id extends string = string, Facts extends object = object> {
  /** `environment.cloud` and the key of the facts in the report; the config key is `${id}Url`. */
  readonly id: Id;
  /** The platform's name in advice and docs. */
  readonly name: string;
  /** Matches the joined DMI fields of a machine that runs on this platform. */
  readonly dmiSignature: RegExp;
  /** The platform's standard metadata base URL (asked only when the DMI matches). */
  readonly defaultMetadataUrl: string;
  /** Asks the metadata service; null when it is not this platform's service or said nothing. */
  queryMetadata(baseUrl: string, ctx: MetadataContext): Promise<Facts | null>;
  /** Facts to stand on when the firmware proves the platform but its metadata is silent. */
  factsFromDmi?(dmi: Dmi): Facts | null;
  /**
   * What to do about a blocked port 25 here, one point a sentence or two. `relayPorts` are the
   * submission ports worth recommending (neither found shut by this pass nor blocked by the
   * policy); advice never names another.
   */
  port25Advice(facts: Facts | undefined, relayPorts?: readonly number[]): string[];
  /** The outbound port policy the platform documents; null when it documents no default block. */
  readonly portPolicy: PortPolicy | null;
  /**
   * Facts that identify the account or the machine (subscription, account, project, VM ids):
   * `/status` shows them only to an authenticated client (report/redact.ts).
   */
  readonly identifierFields: readonly string[];
  /** The VM's public addresses as its metadata gave them (CONTRACT §10: egress source `cloud`). */
  publicAddresses?(facts: Facts | undefined): string[];
  /** Who sets the PTR record of a public address here, and how, in the platform's words. */
  readonly ptrAdvice?: string;
  /** Label names this cloud adds to `mxprobe_environment_info` (besides `cloud`). */
  readonly metricLabelNames: readonly string[];
  /** Their values: where in the cloud the VM runs; never identifiers or secrets. */
  metricLabels(facts: Facts | undefined): Record<string, string>;
}

/** Any registered cloud, whatever its facts. */
export type AnyCloud = CloudModule<string, object>;

/** Keeps a module's literal id and facts type for the registry's derived types. */
export function defineCloud<const Id extends string, Facts extends object>(
  // Identifier fields must be fields of the facts: a typo would leave an identifier visible.
  module: CloudModule<Id, Facts> & { identifierFields: readonly (keyof Facts & string)[] },
): CloudModule<Id, Facts> {
  return module;
}

/** The words after "This VM runs in X": the parts that are known, or nothing. */
export function inParentheses(parts: (string | null | undefined)[]): string {
  const known = parts.filter((part): part is string => part != null && part !== '');
  return known.length > 0 ? ` (${known.join(', ')})` : '';
}

// The relay words live in util/ because the diagnosis says them too.
export { relayPortWords, relayWay, STANDARD_RELAY_PORTS } from '../util/relay-words.js';

export function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A cloud's facts in an environment or detection result: the key named after the cloud. */
export function factsOf(env: object, cloud: AnyCloud): object | undefined {
  return (env as Record<string, object | undefined>)[cloud.id];
}
