/** A mistake in the user's configuration or flags: each problem is one line naming where and what. */
export class ConfigError extends Error {
  constructor(
    readonly problems: string[],
    options?: ErrorOptions,
  ) {
    super(problems.join('\n'), options);
    this.name = 'ConfigError';
  }
}
