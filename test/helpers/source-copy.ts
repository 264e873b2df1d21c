// A copy of src/ to change and compile, for the tests that show what one new row or module
// takes (a cloud, a setting): the copy gets the change, tsc type-checks the whole of it, and a
// script run in the copy reads back what the compiled mxprobe makes of it.

import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const REPO = join(import.meta.dirname, '../..');

export interface SourceCopy {
  /** The copy's root: src/, package.json and, once compiled, dist/. */
  dir: string;
  /** Replaces `from` by `to` in a file of the copy; throws when `from` is not there. */
  edit(path: string, from: string, to: string): void;
  write(path: string, text: string): void;
  /** Type-checks and compiles the copy: a type error anywhere throws with tsc's output. */
  compile(): void;
  /** Runs `script` (an ES module) in the copy and parses the one JSON document it prints. */
  run(script: string): unknown;
  remove(): void;
}

export function copySource(name: string): SourceCopy {
  // Under node_modules so that the copy resolves the project's packages as src/ does.
  const cache = join(REPO, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  const dir = mkdtempSync(join(cache, `mxprobe-${name}-`));
  cpSync(join(REPO, 'src'), join(dir, 'src'), { recursive: true });
  cpSync(join(REPO, 'package.json'), join(dir, 'package.json'));
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      extends: join(REPO, 'tsconfig.json'),
      compilerOptions: { noEmit: false, outDir: 'dist', rootDir: '.' },
      include: ['src'],
    }),
  );
  return {
    dir,
    edit(path, from, to) {
      const file = join(dir, path);
      const text = readFileSync(file, 'utf8');
      if (!text.includes(from)) throw new Error(`${path}: nothing to replace: ${from}`);
      writeFileSync(file, text.replace(from, to));
    },
    write: (path, text) => writeFileSync(join(dir, path), text),
    compile: () =>
      void execFileSync(join(REPO, 'node_modules/.bin/tsc'), ['-p', join(dir, 'tsconfig.json')], {
        stdio: 'pipe',
      }),
    run(script) {
      writeFileSync(join(dir, 'check.mjs'), script);
      return JSON.parse(
        execFileSync(process.execPath, ['check.mjs'], { cwd: dir, encoding: 'utf8' }),
      ) as unknown;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
