// Google Compute Engine: the metadata server proves itself with `Metadata-Flavor: Google`.
// Advice is a short summary of Google Cloud's public documentation as of 2024.

import { defineCloud, inParentheses } from './cloud.js';
import { joinUrl, request } from './metadata.js';

export interface GcpFacts {
  projectId: string | null;
  zone: string | null;
}

export const gcp = defineCloud({
  id: 'gcp',
  name: 'Google Compute Engine',
  dmiSignature: /google/i,
  defaultMetadataUrl: 'http://metadata.google.internal',

  async queryMetadata(baseUrl, ctx): Promise<GcpFacts | null> {
    const projectUrl = joinUrl(baseUrl, '/computeMetadata/v1/project/project-id');
    const zoneUrl = joinUrl(baseUrl, '/computeMetadata/v1/instance/zone');
    if (projectUrl === null || zoneUrl === null) return null;
    const init = { method: 'GET', headers: { 'Metadata-Flavor': 'Google' } };
    const [project, zone] = await Promise.all([
      request(projectUrl, init, ctx),
      request(zoneUrl, init, ctx),
    ]);
    if (project === null || project.flavor !== 'Google') return null;
    const projectId = project.body.trim();
    if (projectId === '') return null;
    // The zone comes as "projects/123456789/zones/europe-west1-b".
    const zoneName = zone?.flavor === 'Google' ? zone.body.trim().split('/').at(-1) : undefined;
    return { projectId, zone: zoneName !== undefined && zoneName !== '' ? zoneName : null };
  },

  port25Advice(facts) {
    const where = inParentheses([
      facts?.projectId != null ? `project ${facts.projectId}` : null,
      facts?.zone,
    ]);
    return [
      `This VM runs in Google Compute Engine${where}: as documented by Google Cloud (2024), outbound connections to TCP port 25 on external addresses are blocked, and Google lifts that only for some long-established projects, with no request form for the rest.`,
      'Send through an authenticated relay on port 587 or 465, which Google does not restrict: SendGrid, Mailgun, Mailjet or the Google Workspace SMTP relay.',
    ];
  },

  identifierFields: ['projectId'],
  metricLabelNames: ['region', 'zone'],
  metricLabels(facts) {
    if (!facts?.zone) return {};
    // A zone is its region plus a letter: europe-west1-b is in europe-west1.
    return { region: facts.zone.replace(/-[a-z]$/, ''), zone: facts.zone };
  },
});
