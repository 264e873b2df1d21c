// Host names as DNS writes them (any case, maybe a trailing dot) → one spelling to compare,
// store and print. Pure.

/** `MX1.Example.COM.` → `mx1.example.com`. */
export function normalizeHostName(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}
