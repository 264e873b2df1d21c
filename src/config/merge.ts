// Flags over the file: every setting a flag gave replaces the file's value (or the default),
// in the order of the settings table, and each given value is then checked against the others
// (an --interval under the floor). Pure.

import {
  settingRows,
  valueWords,
  writeField,
  type SettingId,
  type SettingValues,
} from './settings.js';
import type { ProbeConfig } from './types.js';

/**
 * Writes the flags' settings into `config`; returns one sentence per value that fails its
 * check, naming the flag as `spelled` gives it.
 */
export function applySettings(
  config: ProbeConfig,
  values: SettingValues,
  spelled: (id: SettingId) => string,
): string[] {
  const given = settingRows().filter(([id]) => values[id] !== undefined);
  for (const [id, row] of given) writeField(config, row.field, values[id]);
  return given.flatMap(([id, row]) => {
    const expected = row.check?.(values[id] as never, config);
    return expected === undefined
      ? []
      : [`${spelled(id)} expects ${expected}, got ${valueWords(row.kind, values[id])}`];
  });
}
