// One series' labels and value: what every pure series function (series.ts and the identity's
// and the canary's beside it) returns, kept apart so that they need not import each other.

export type Labels = Record<string, string>;

export interface Sample {
  labels: Labels;
  value: number;
}
