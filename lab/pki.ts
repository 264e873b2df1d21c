// The lab's certificate authority, made fresh at every `up` (lab/certificates.ts): one CA, one
// server certificate naming every well-behaved lab host, and one certificate that expired years
// ago for the host that serves it on purpose. The VM trusts the CA through NODE_EXTRA_CA_CERTS,
// so a good lab host verifies and the expired one does not.

import { days, issue, selfSigned } from './certificates.js';
import type { LabHost } from './zone.js';

export interface Pki {
  caCert: string;
  serverKey: string;
  serverCert: string;
  expiredKey: string;
  expiredCert: string;
}

const namesOf = (hosts: LabHost[]): string[] => hosts.flatMap((h) => [h.name, h.ipv4, h.ipv6]);

export function createPki(dir: string, goodHosts: LabHost[], expiredHosts: LabHost[]): Pki {
  const ca = selfSigned(dir, 'ca', { cn: 'mxprobe lab CA' }, 30);
  const good = issue(dir, ca, 'server', {
    cn: goodHosts[0]?.name ?? 'lab',
    names: namesOf(goodHosts),
    usage: 'server',
    validity: days(30),
  });
  const expired = issue(dir, ca, 'expired', {
    cn: expiredHosts[0]?.name ?? 'lab',
    names: namesOf(expiredHosts),
    usage: 'server',
    validity: { start: new Date('2020-01-01T00:00:00Z'), end: new Date('2021-01-01T00:00:00Z') },
  });
  return {
    caCert: ca.certFile,
    serverKey: good.keyFile,
    serverCert: good.certFile,
    expiredKey: expired.keyFile,
    expiredCert: expired.certFile,
  };
}
