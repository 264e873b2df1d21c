// The canaries' results joined to a probe report (CONTRACT §12): `canaries[]`, their hints
// beside the diagnosis code (they never change it) and each hint's advice. Pure.

import type { Report } from '../types.js';
import type { CanaryReport } from './types.js';
import { CANARY_HINT_WORDS, canaryHints } from './words.js';

/** The report with the canaries' results; unchanged when no canary is configured. */
export function withCanaries(report: Report, canaries: readonly CanaryReport[]): Report {
  if (canaries.length === 0) return report;
  const hints = canaryHints(canaries).filter((hint) => !report.diagnosis.hints.includes(hint));
  return {
    ...report,
    canaries: [...canaries],
    diagnosis: {
      ...report.diagnosis,
      hints: [...report.diagnosis.hints, ...hints],
      advice: [...report.diagnosis.advice, ...hints.map((hint) => CANARY_HINT_WORDS[hint])],
    },
  };
}
