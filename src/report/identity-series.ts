// The metric samples of the report's identity section (CONTRACT §11): complete state sets over
// the closed lists of types.ts. Pure.

import { DMARC_POLICIES, SPF_RESULTS, type IdentityReport } from '../types.js';
import type { Sample } from './sample.js';

export interface IdentitySeries {
  ehloOk: Sample[];
  spfResult: Sample[];
  dmarcPolicy: Sample[];
  dkimKeyPresent: Sample[];
}

/**
 * mxprobe_ehlo_ok, mxprobe_spf_result, mxprobe_dmarc_policy, mxprobe_dkim_key_present; no
 * series without an identity report (not configured). Bounded by the config: domains ×
 * egress addresses (one per family) × results, domains × selectors.
 */
export function identitySeries(report: IdentityReport | undefined): IdentitySeries {
  if (report === undefined)
    return { ehloOk: [], spfResult: [], dmarcPolicy: [], dkimKeyPresent: [] };
  return {
    ehloOk: [{ labels: {}, value: report.ehlo.status === 'ok' ? 1 : 0 }],
    spfResult: report.domains.flatMap((d) =>
      d.spf.flatMap((s) =>
        SPF_RESULTS.map((result) => ({
          labels: { domain: d.domain, address: s.address, result },
          value: s.result === result ? 1 : 0,
        })),
      ),
    ),
    dmarcPolicy: report.domains.flatMap((d) =>
      DMARC_POLICIES.map((policy) => ({
        labels: { domain: d.domain, policy },
        value: d.dmarc.policy === policy ? 1 : 0,
      })),
    ),
    // A failed lookup says nothing about the key: no series, as for a DNSBL lookup error.
    dkimKeyPresent: report.domains.flatMap((d) =>
      d.dkim
        .filter((k) => k.status !== 'error')
        .map((k) => ({
          labels: { domain: d.domain, selector: k.selector },
          value: k.status === 'present' ? 1 : 0,
        })),
    ),
  };
}
