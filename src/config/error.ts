/** How long the one line of a config error may grow before the rest is only counted. */
const MAX_MESSAGE_CHARS = 600;

/**
 * A mistake in the user's configuration or flags: each problem is one sentence naming where and
 * what (`problems`), and the message is all of them on one line (cut short, with the number of
 * the others, when there are many), so a person reads one line and a log keeps one line.
 */
export class ConfigError extends Error {
  constructor(
    readonly problems: string[],
    options?: ErrorOptions,
  ) {
    super(oneLine(problems), options);
    this.name = 'ConfigError';
  }
}

function oneLine(problems: string[]): string {
  let line = problems[0] ?? 'invalid configuration';
  let shown = 1;
  for (const problem of problems.slice(1)) {
    if (line.length + problem.length + 2 > MAX_MESSAGE_CHARS) break;
    line += `; ${problem}`;
    shown += 1;
  }
  const hidden = problems.length - shown;
  return hidden > 0 ? `${line}; and ${hidden} more ${hidden === 1 ? 'problem' : 'problems'}` : line;
}
