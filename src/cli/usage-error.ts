/** A mistake in how the command was called (not in a config file): one line on stderr, exit 2. */
export class UsageError extends Error {}
