// What one DNS question came back with, as the pure verdicts read it: the answers, or the
// contract's word for why there are none (nxdomain, nodata, timeout, servfail, refused).

import type { ResolutionStatus } from '../types.js';

export type DnsAnswer<T> = { ok: true; value: T } | { ok: false; status: ResolutionStatus };
