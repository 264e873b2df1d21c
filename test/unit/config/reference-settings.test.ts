// docs/reference.md's table of settings is the settings table (src/config/settings.ts) in
// Markdown: a row added, changed or removed there and not in the docs fails here. With
// UPDATE_REFERENCE=1 the test writes the table into the docs instead (then run prettier).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS, longName } from '../../../src/cli/flags.js';
import { boundsWords, settingRows, valueWords } from '../../../src/config/settings.js';

const REFERENCE = join(import.meta.dirname, '../../../docs/reference.md');
const BEGIN = '<!-- settings table: generated from src/config/settings.ts -->';
const END = '<!-- end of settings table -->';

function settingsMarkdown(): string {
  const rows = settingRows().map(([id, row]) => {
    const flag =
      row.flag === null ? '' : [row.flag.name, row.flag.alias].filter(Boolean).join(', ');
    const shown = valueWords(row.kind, row.default);
    return [
      row.inFile ? `\`${id}\`` : '(flag only)',
      flag === '' ? '' : `\`${flag.replace(', ', '`, `')}\``,
      row.kind.name === 'duration' && row.default === 0 ? 'none' : `\`${shown}\``,
      boundsWords(row.kind) ?? '',
      row.scope === 'both' ? '' : row.scope,
      row.help,
    ];
  });
  const head = ['key', 'flag', 'default', 'bounds', 'only for', 'meaning'];
  return [head, head.map(() => '---'), ...rows]
    .map((cells) => `| ${cells.join(' | ')} |`)
    .join('\n');
}

/** A Markdown table as prettier may align it: cells trimmed, dashes of any length. */
function normalize(text: string): string {
  return text
    .split('\n')
    .map((line) =>
      line
        .split('|')
        .map((cell) => cell.trim().replace(/^-+$/, '---'))
        .join('|'),
    )
    .join('\n')
    .trim();
}

describe('docs/reference.md', () => {
  it('holds the settings table as src/config/settings.ts has it', () => {
    const text = readFileSync(REFERENCE, 'utf8');
    const start = text.indexOf(BEGIN);
    const end = text.indexOf(END);
    const update = process.env.UPDATE_REFERENCE === '1';
    // Rewriting is for a developer: under CI the test would only compare the file with itself.
    if (update && (process.env.CI === 'true' || process.env.CI === '1'))
      throw new Error('UPDATE_REFERENCE=1 is for a developer, never CI');
    if (update && start >= 0 && end > start) {
      writeFileSync(
        REFERENCE,
        `${text.slice(0, start + BEGIN.length)}\n\n${settingsMarkdown()}\n\n${text.slice(end)}`,
      );
      return;
    }
    expect(start).toBeGreaterThan(0);
    expect(end).toBeGreaterThan(start);
    expect(normalize(text.slice(start + BEGIN.length, end))).toBe(normalize(settingsMarkdown()));
  });

  it('names in its flag table only flags that mxprobe has', () => {
    const text = readFileSync(REFERENCE, 'utf8');
    const section = text.slice(text.indexOf('## Command line'), text.indexOf('## The JSON report'));
    const named = [...section.matchAll(/^\| `(--[a-z.-]+)/gm)].map((m) => m[1]);
    expect(named.length).toBeGreaterThan(3);
    const known = COMMANDS.flatMap((c) => c.groups.flatMap((g) => g.flags)).flatMap((f) => [
      longName(f.flags),
      ...(f.alias ? [longName(f.alias.flags)] : []),
    ]);
    for (const flag of named) expect(known).toContain(flag);
  });
});
