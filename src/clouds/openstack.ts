// A generic OpenStack cloud (OVHcloud Public Cloud, say), when no more specific platform
// matched: it comes last in the registry. Firmware and metadata as cloud-init reads them
// (tools/ds-identify dscheck_OpenStack: product_name "OpenStack Nova" or "OpenStack Compute";
// DataSourceOpenStack.py: GET http://169.254.169.254/openstack/latest/meta_data.json). Policy:
// none documented for OpenStack as such; OVHcloud blocks port 25 only reactively, on abuse.

import { defineCloud, inParentheses, relayWay, STANDARD_RELAY_PORTS } from './cloud.js';
import { getJson, joinUrl, stringField } from './metadata.js';

export interface OpenStackFacts {
  availabilityZone: string | null;
  instanceId: string | null;
  projectId: string | null;
}

export const openstack = defineCloud({
  id: 'openstack',
  name: 'OpenStack',
  dmiSignature: /^OpenStack (Nova|Compute)$/m,
  defaultMetadataUrl: 'http://169.254.169.254',

  async queryMetadata(baseUrl, ctx): Promise<OpenStackFacts | null> {
    const url = joinUrl(baseUrl, '/openstack/latest/meta_data.json');
    if (url === null) return null;
    const body = await getJson(url, {}, ctx);
    const instanceId = stringField(body, 'uuid');
    if (instanceId === null) return null;
    return {
      availabilityZone: stringField(body, 'availability_zone'),
      instanceId,
      projectId: stringField(body, 'project_id'),
    };
  },

  portPolicy: null,
  port25Advice: (facts, relayPorts = STANDARD_RELAY_PORTS) => [
    `This VM runs on an OpenStack cloud${inParentheses([facts?.availabilityZone])}: OpenStack itself documents no port 25 block, so the operator of this cloud (OVHcloud, say, blocks port 25 of an instance only after abuse) or a security group rule is the place to ask.`,
    "Check the instance's security groups for an egress rule on port 25, then ask the cloud operator whether they block it.",
    `Meanwhile, ${relayWay(relayPorts)}.`,
  ],

  identifierFields: ['instanceId', 'projectId'],
  metricLabelNames: ['zone'],
  metricLabels: (facts) => (facts?.availabilityZone ? { zone: facts.availabilityZone } : {}),
});
