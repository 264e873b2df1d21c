// Oracle Cloud Infrastructure. Firmware and metadata as cloud-init reads them
// (tools/ds-identify dscheck_Oracle, cloudinit/sources/DataSourceOracle.py): the chassis asset
// tag OracleCloud.com; IMDS v2 at /opc/v2/instance/ with `Authorization: Bearer Oracle` (v2
// answers 401 without it). Policy: Oracle blocks outbound port 25 for all tenancies and lifts
// it on a service request, for paid (not Free Tier) accounts; its Email Delivery service takes
// submission on 587.

import { defineCloud, inParentheses, type PortPolicy } from './cloud.js';
import { getJson, joinUrl, stringField } from './metadata.js';
import { policyAdvice } from './policy-advice.js';

export interface OracleFacts {
  region: string | null;
  availabilityDomain: string | null;
  instanceId: string | null;
  compartmentId: string | null;
}

export const ORACLE_POLICY: PortPolicy = {
  blockedPorts: [25],
  who: 'every tenancy by default',
  exemption:
    'a paid (not Free Tier) account opens a service request asking Oracle to remove the port 25 restriction; OCI Email Delivery accepts authenticated submission on port 587 meanwhile.',
  source: 'https://docs.oracle.com/en-us/iaas/Content/Email/Reference/gettingstarted.htm',
};

export const oracle = defineCloud({
  id: 'oracle',
  name: 'Oracle Cloud Infrastructure',
  dmiSignature: /^OracleCloud\.com$/m,
  defaultMetadataUrl: 'http://169.254.169.254/opc/v2',

  async queryMetadata(baseUrl, ctx): Promise<OracleFacts | null> {
    const url = joinUrl(baseUrl, '/instance/');
    if (url === null) return null;
    const body = await getJson(url, { Authorization: 'Bearer Oracle' }, ctx);
    const instanceId = stringField(body, 'id');
    if (instanceId === null) return null;
    return {
      region: stringField(body, 'canonicalRegionName') ?? stringField(body, 'region'),
      availabilityDomain: stringField(body, 'availabilityDomain'),
      instanceId,
      compartmentId: stringField(body, 'compartmentId'),
    };
  },

  portPolicy: ORACLE_POLICY,
  port25Advice: (facts, relayPorts = [587]) =>
    policyAdvice(
      'Oracle Cloud Infrastructure',
      inParentheses([facts?.region]),
      ORACLE_POLICY,
      relayPorts,
    ),

  identifierFields: ['instanceId', 'compartmentId'],
  // The instance document carries no public address (it sits on the VNIC's public IP object).
  publicAddresses: () => [],
  ptrAdvice:
    'On Oracle Cloud the PTR record of a public IP is set by Oracle: give a name of yours an A record for the address, then open a service request asking for the reverse DNS entry.',

  metricLabelNames: ['region'],
  metricLabels: (facts) => (facts?.region ? { region: facts.region } : {}),
});
