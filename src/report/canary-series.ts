// The canaries' results → their metric samples (CONTRACT §12). Pure, like report/series.ts:
// state sets are complete, so a 0 series tells "not spam" apart from "no canary".

import type { Sample } from './sample.js';
import { AUTH_METHODS, AUTH_RESULTS, CANARY_STATUSES, type CanaryReport } from '../types.js';

export interface CanarySeries {
  /** mxprobe_canary_status{canary,status}: 1 for the latest status. */
  status: Sample[];
  /** mxprobe_canary_delivery_seconds{canary}: only for a run that found its message. */
  deliverySeconds: Sample[];
  /** mxprobe_canary_auth_result{canary,method,result}: only for a message that was read. */
  authResult: Sample[];
}

export function canarySeries(reports: readonly CanaryReport[]): CanarySeries {
  return {
    status: reports.flatMap((report) =>
      CANARY_STATUSES.map((status) => ({
        labels: { canary: report.name, status },
        value: report.status === status ? 1 : 0,
      })),
    ),
    deliverySeconds: reports.flatMap((report) =>
      report.seconds === null ? [] : [{ labels: { canary: report.name }, value: report.seconds }],
    ),
    authResult: reports.flatMap((report) => {
      const auth = report.auth;
      if (auth === null) return [];
      return AUTH_METHODS.flatMap((method) =>
        AUTH_RESULTS.map((result) => ({
          labels: { canary: report.name, method, result },
          value: auth[method] === result ? 1 : 0,
        })),
      );
    }),
  };
}
