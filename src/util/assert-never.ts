/** The default of an exhaustive switch: a value added to a closed set fails to compile here. */
export function assertNever(value: never): never {
  throw new Error(`unexpected value: ${String(value)}`);
}
