// Google Compute Engine: the metadata server proves itself with `Metadata-Flavor: Google`.
// Advice is a short summary of Google Cloud's public documentation as of 2024.

import { capitalise, defineCloud, inParentheses, relayWay, STANDARD_RELAY_PORTS } from './cloud.js';
import { joinUrl, request } from './metadata.js';

export interface GcpFacts {
  projectId: string | null;
  zone: string | null;
  /** The external IP of the first interface's access config (absent without one). */
  publicIpAddresses?: string[];
}

export const gcp = defineCloud({
  id: 'gcp',
  name: 'Google Compute Engine',
  dmiSignature: /google/i,
  defaultMetadataUrl: 'http://metadata.google.internal',

  async queryMetadata(baseUrl, ctx): Promise<GcpFacts | null> {
    const projectUrl = joinUrl(baseUrl, '/computeMetadata/v1/project/project-id');
    const zoneUrl = joinUrl(baseUrl, '/computeMetadata/v1/instance/zone');
    const externalIpUrl = joinUrl(
      baseUrl,
      '/computeMetadata/v1/instance/network-interfaces/0/access-configs/0/external-ip',
    );
    if (projectUrl === null || zoneUrl === null || externalIpUrl === null) return null;
    const init = { method: 'GET', headers: { 'Metadata-Flavor': 'Google' } };
    const [project, zone, externalIp] = await Promise.all([
      request(projectUrl, init, ctx),
      request(zoneUrl, init, ctx),
      request(externalIpUrl, init, ctx),
    ]);
    if (project === null || project.flavor !== 'Google') return null;
    const projectId = project.body.trim();
    if (projectId === '') return null;
    // The zone comes as "projects/123456789/zones/europe-west1-b".
    const zoneName = zone?.flavor === 'Google' ? zone.body.trim().split('/').at(-1) : undefined;
    const facts: GcpFacts = {
      projectId,
      zone: zoneName !== undefined && zoneName !== '' ? zoneName : null,
    };
    const address = externalIp?.flavor === 'Google' ? externalIp.body.trim() : '';
    if (address !== '') facts.publicIpAddresses = [address];
    return facts;
  },

  portPolicy: {
    blockedPorts: [25],
    who: 'every project, except some long-established ones',
    exemption:
      'Google Cloud offers no request form: send through a relay on port 587 or 465, which are not blocked.',
    source: 'https://cloud.google.com/compute/docs/tutorials/sending-mail',
  },

  port25Advice(facts, relayPorts = STANDARD_RELAY_PORTS) {
    const where = inParentheses([
      facts?.projectId != null ? `project ${facts.projectId}` : null,
      facts?.zone,
    ]);
    return [
      `This VM runs in Google Compute Engine${where}: as documented by Google Cloud (2024), outbound connections to TCP port 25 on external addresses are blocked, and Google lifts that only for some long-established projects, with no request form for the rest.`,
      `${capitalise(relayWay(relayPorts))} (SendGrid, Mailgun, Mailjet or the Google Workspace SMTP relay); Google does not restrict the submission ports.`,
    ];
  },

  identifierFields: ['projectId'],
  publicAddresses: (facts) => facts?.publicIpAddresses ?? [],

  ptrAdvice:
    "On Google Cloud the PTR record is set on the VM's external IP (its access config), for a domain you have verified with Google: give mail.example.com an A record for the address, then run `gcloud compute instances update-access-config VM --zone ZONE --public-ptr --public-ptr-domain mail.example.com.`.",

  metricLabelNames: ['region', 'zone'],
  metricLabels(facts) {
    if (!facts?.zone) return {};
    // A zone is its region plus a letter: europe-west1-b is in europe-west1.
    return { region: facts.zone.replace(/-[a-z]$/, ''), zone: facts.zone };
  },
});
