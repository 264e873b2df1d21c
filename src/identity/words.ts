// The words of sender identity for the person at the VM: the advice that says what to change
// and where (the EHLO name in Postfix and Exim, the SPF mechanism to publish, the DMARC and
// DKIM records, the PTR to ask the cloud for), and the human output's "Sender identity"
// section. Pure.

import type { DomainIdentity, EgressAddress, IdentityReport, SpfFinding } from '../types.js';

/**
 * `ptrAdvice`: who sets an egress address's PTR where this machine runs, in the cloud module's
 * words (§9); general words elsewhere.
 */
export function identityAdvice(
  report: IdentityReport,
  egress: readonly EgressAddress[],
  ptrAdvice?: string,
): string[] {
  return [
    ...ehloAdvice(report, egress, ptrAdvice),
    ...report.domains.flatMap((d) => [...spfAdvice(d), ...dmarcAdvice(d), ...dkimAdvice(d)]),
  ];
}

function ehloAdvice(
  report: IdentityReport,
  egress: readonly EgressAddress[],
  ptrAdvice?: string,
): string[] {
  const { ehloName, ehlo } = report;
  if (ehlo.status === 'ok') return [];
  // The name receivers already find for the address is the one to give in EHLO.
  const confirmed = egress.find((e) => e.ptr.status === 'ok')?.ptr.names[0];
  const name =
    confirmed ??
    (ehlo.status === 'not-fqdn' ? 'a name of yours such as mail.example.com' : ehloName);
  const out = [
    `The EHLO name "${ehloName}" is ${EHLO_WORDS[ehlo.status]}: set it to ${name} (Postfix: myhostname = ${name} in /etc/postfix/main.cf; Exim: primary_hostname = ${name}).`,
  ];
  if (confirmed !== undefined) return out;
  for (const e of egress) {
    if (ehlo.status !== 'not-fqdn' && !ehlo.addresses.includes(e.address)) {
      out.push(`Publish an ${e.family === 4 ? 'A' : 'AAAA'} record: ${ehloName} → ${e.address}.`);
    }
    if (!e.ptr.names.includes(ehloName) && ehlo.status !== 'not-fqdn') {
      out.push(
        `Ask for the PTR of ${e.address} to name ${ehloName}: ${ptrAdvice ?? 'whoever assigns the address (the hosting provider or ISP) sets it.'}`,
      );
    }
  }
  return out;
}

const EHLO_WORDS = {
  'not-fqdn': 'not a fully qualified domain name, which receivers reject',
  unresolvable: 'not in DNS (no A or AAAA record)',
  mismatch:
    'not what the egress address says: its A/AAAA records or the address’s PTR name another host',
} as const;

function spfAdvice(d: DomainIdentity): string[] {
  return d.spf.filter((s) => s.result !== 'pass').map((s) => spfLine(d.domain, s));
}

function spfLine(domain: string, s: SpfFinding): string {
  const mechanism = `${s.address.includes(':') ? 'ip6' : 'ip4'}:${s.address}`;
  switch (s.result) {
    case 'none':
      return `${domain} publishes no SPF record: publish a TXT record at ${domain}: "v=spf1 ${mechanism} -all".`;
    case 'permerror':
      return `The SPF record of ${domain} is broken (${s.detail}): receivers treat it as a failure; fix it, and authorise ${s.address} with ${mechanism}.`;
    case 'temperror':
      return `The SPF lookup of ${domain} failed (${s.detail}); receivers defer such mail: check the domain's DNS servers.`;
    case 'pass':
    case 'fail':
    case 'softfail':
    case 'neutral':
      return `SPF of ${domain} does not authorise ${s.address} (${s.result}: ${s.detail}): add ${mechanism} to the TXT record at ${domain}, before its all term ("v=spf1 ${mechanism} … -all").`;
  }
}

function dmarcAdvice(d: DomainIdentity): string[] {
  if (d.dmarc.policy !== 'missing') return [];
  return [
    `${d.domain} has no DMARC policy, which Gmail and Yahoo require of bulk senders: publish a TXT record at _dmarc.${d.domain}: "v=DMARC1; p=none; rua=mailto:dmarc-reports@${d.domain}", then tighten p= to quarantine or reject once the reports show only your own mail.`,
  ];
}

function dkimAdvice(d: DomainIdentity): string[] {
  return d.dkim
    .filter((k) => k.status === 'missing' || k.status === 'invalid')
    .map((k) =>
      k.status === 'missing'
        ? `No DKIM key for selector ${k.selector} of ${d.domain}: publish the public key of your signer (OpenDKIM, rspamd, the relay) as a TXT record at ${k.selector}._domainkey.${d.domain} ("v=DKIM1; k=rsa; p=…").`
        : `The DKIM record ${k.selector}._domainkey.${d.domain} holds no usable key (an empty p= revokes it): publish the signer's public key there.`,
    );
}

/** The lines under "Sender identity" in the human output. */
export function identityLines(report: IdentityReport): string[] {
  const { ehlo } = report;
  const facts = [
    ehlo.addresses.length > 0 ? `resolves to ${ehlo.addresses.join(', ')}` : '',
    ehlo.ptrNames.length > 0 ? `egress PTR ${ehlo.ptrNames.join(', ')}` : '',
  ].filter(Boolean);
  const out = [
    `  EHLO name  ${report.ehloName}  ${ehlo.status}${facts.length > 0 ? `  (${facts.join('; ')})` : ''}`,
  ];
  for (const d of report.domains) {
    out.push(`  ${d.domain}`);
    for (const s of d.spf) out.push(`    SPF    ${s.address}  ${s.result}  ${s.detail}`);
    out.push(
      `    DMARC  ${d.dmarc.policy}${d.dmarc.record === null ? '' : `  "${d.dmarc.record}"`}`,
    );
    for (const k of d.dkim) out.push(`    DKIM   ${k.selector}  ${k.status}`);
  }
  return out;
}
