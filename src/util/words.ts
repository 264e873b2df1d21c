// Counts in prose: "no relays", "1 target", "2 targets". Pure.

/** `n` things in words; `plural` when adding an "s" is not how the word says it. */
export function countOf(n: number, singular: string, plural = `${singular}s`): string {
  if (n === 0) return `no ${plural}`;
  return `${n} ${n === 1 ? singular : plural}`;
}
