// The identity findings beside the diagnosis: their hints after the others, their advice after
// the diagnosis' own. They never change the code: an SPF record does not open a port. Pure.

import type { Diagnosis, EgressAddress, IdentityReport } from '../types.js';
import { identityHints } from './findings.js';
import { identityAdvice } from './words.js';

export function withIdentity(
  diagnosis: Diagnosis,
  identity: IdentityReport | undefined,
  egress: readonly EgressAddress[],
  ptrAdvice?: string,
): Diagnosis {
  if (identity === undefined) return diagnosis;
  return {
    ...diagnosis,
    hints: [...diagnosis.hints, ...identityHints(identity)],
    advice: [...diagnosis.advice, ...identityAdvice(identity, egress, ptrAdvice)],
  };
}
