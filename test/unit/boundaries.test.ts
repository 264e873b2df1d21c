// The room boundaries of src/ hold by lint (eslint.config.js): a pure room that imports the
// network or the file system, or a room that imports one it may not, fails `npm run lint`.
// These lint source text under paths in src/ that do not exist; nothing is written.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const RULE = '@typescript-eslint/no-restricted-imports';
let eslint: ESLint;

beforeAll(() => {
  eslint = new ESLint({
    cwd: ROOT,
    // Source text under a path that is not in the TypeScript project: no type information.
    overrideConfig: [{ files: ['**/*.ts'], ...tseslint.configs.disableTypeChecked }],
    ruleFilter: ({ ruleId }) => ruleId === RULE,
  });
});

async function boundaryErrors(filePath: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${source}\nexport {};\n`, { filePath });
  return (result?.messages ?? []).map((message) => `${message.ruleId}: ${message.message}`);
}

describe('room boundaries', () => {
  it.each([
    [
      'src/diagnosis/x.ts',
      "import net from 'node:net';",
      /only the I\/O rooms do I\/O: src\/diagnosis\//,
    ],
    ['src/diagnosis/x.ts', "import { connect } from 'net';", /only the I\/O rooms do I\/O/],
    ['src/report/series.ts', "import { readFile } from 'node:fs/promises';", /src\/report\//],
    ['src/types.ts', "import { lookup } from 'node:dns';", /src\/types\.ts may not/],
    ['src/config/sections.ts', "import { readFileSync } from 'node:fs';", /src\/config\//],
    ['src/reputation/x.ts', "import { createTransport } from 'nodemailer';", /I\/O rooms/],
    [
      'src/diagnosis/x.ts',
      "import { dial } from '../probe/dial.js';",
      /src\/diagnosis\/ may import only ports, reputation, types, util/,
    ],
    [
      'src/report/x.ts',
      "import { runPass } from '../pass/pass.js';",
      /src\/report\/ may import only/,
    ],
    [
      'src/pass/x.ts',
      "import { renderReport } from '../report/render.js';",
      /src\/pass\/ may import only/,
    ],
    [
      'src/smtp/x.ts',
      "import { defaults } from '../config/defaults.js';",
      /src\/smtp\/ may import only/,
    ],
    [
      'src/ports.ts',
      "import type { Attempt } from './types.js';",
      /src\/ports\.ts may import only no other room/,
    ],
  ])('%s: `%s` fails lint', async (file, source, expected) => {
    const errors = await boundaryErrors(file, source);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(expected);
  });

  it.each([
    ['src/diagnosis/x.ts', "import { isIP, BlockList } from 'node:net';"],
    ['src/diagnosis/x.ts', "import type { Socket } from 'node:net';"],
    [
      'src/diagnosis/x.ts',
      "import { PORTS } from '../ports.js';\nimport { z } from './explain.js';",
    ],
    ['src/config/text-file.ts', "import { readFile } from 'node:fs/promises';"],
    ['src/config/web.ts', "import { createSecureContext } from 'node:tls';"],
    ['src/probe/x.ts', "import net from 'node:net';\nimport { connect } from 'node:tls';"],
    [
      'src/serve/x.ts',
      "import { createServer } from 'node:http';\nimport { runPass } from '../pass/pass.js';",
    ],
    [
      'src/pass/x.ts',
      "import { dial } from '../probe/dial.js';\nimport { diagnose } from '../diagnosis/diagnose.js';",
    ],
    ['src/relay/verify.ts', "import { createTransport } from 'nodemailer';"],
  ])('%s: `%s` passes', async (file, source) => {
    expect(await boundaryErrors(file, source)).toEqual([]);
  });

  // A folder nobody listed would be unchecked: every room of src/ has its boundary.
  it('every folder and module of src/ is a room with a boundary', async () => {
    const rooms = readdirSync(join(ROOT, 'src'), { withFileTypes: true }).map((entry) =>
      entry.isDirectory() ? `src/${entry.name}/any.ts` : `src/${entry.name}`,
    );
    expect(rooms.length).toBeGreaterThan(10);
    const unchecked = [];
    for (const file of rooms) {
      const config = (await eslint.calculateConfigForFile(file)) as {
        rules?: Record<string, unknown>;
      };
      if (!config.rules?.[RULE]) unchecked.push(file);
    }
    expect(unchecked).toEqual([]);
  });
});

describe('the pure tests', () => {
  it.each([
    ['test/unit/report/x.test.ts', "import { createServer } from 'node:net';"],
    ['test/unit/cli/x.test.ts', "import { spawn } from 'node:child_process';"],
    ['test/unit/x.test.ts', "import { scriptedServer } from '../helpers/loopback-servers.js';"],
  ])('%s: `%s` fails lint', async (file, source) => {
    const errors = await boundaryErrors(file, source);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/a pure test opens no socket and starts no process/);
  });

  it('may read its fixtures', async () => {
    expect(
      await boundaryErrors('test/unit/x.test.ts', "import { readFileSync } from 'node:fs';"),
    ).toEqual([]);
  });
});
