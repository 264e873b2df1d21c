// docs/reference.md's table of clouds is the registry's: every module's firmware signature,
// metadata address, documented policy and source, row for row (cells compared after trimming,
// so the Markdown formatter may pad them).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import type { AnyCloud } from '../../../src/clouds/cloud.js';
import { REGISTERED_CLOUDS } from '../../../src/clouds/registry.js';

const REFERENCE = join(import.meta.dirname, '../../../docs/reference.md');

/** The cells a cloud's row must have. */
function cloudRow(cloud: AnyCloud): string[] {
  const policy = cloud.portPolicy;
  return [
    `\`${cloud.id}\``,
    cloud.name,
    `\`${cloud.dmiSignature.source.replaceAll('|', '\\|')}\``,
    `\`${cloud.defaultMetadataUrl}\``,
    policy === null ? 'none documented' : policy.blockedPorts.join(', '),
    policy?.who ?? '',
    policy?.exemption ?? '',
    policy?.source ?? '',
  ];
}

function tableRows(markdown: string): string[][] {
  const begin = markdown.indexOf('<!-- clouds:begin -->');
  const end = markdown.indexOf('<!-- clouds:end -->');
  expect(begin).toBeGreaterThan(0);
  expect(end).toBeGreaterThan(begin);
  return markdown
    .slice(begin, end)
    .split('\n')
    .filter((line) => line.startsWith('|'))
    .slice(2)
    .map((line) =>
      line
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((cell) => cell.trim()),
    );
}

it('docs/reference.md lists every registered cloud as the registry says, in its order', () => {
  const rows = tableRows(readFileSync(REFERENCE, 'utf8'));
  expect(rows.length).toBeGreaterThan(0);
  expect(rows).toEqual(REGISTERED_CLOUDS.map(cloudRow));
});
