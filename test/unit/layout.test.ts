// The test tree mirrors what it tests: every test file runs in exactly one vitest project (a file
// that no project includes would never run), and the pure tests sit in the room they test.
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import config from '../../vitest.config.js';

const ROOT = join(import.meta.dirname, '../..');

function testFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.test.ts'))
    .map((file) => join(dir, file));
}

/** A vitest include pattern (`dir/**\/*.test.ts`) as a regular expression. */
function globRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${escaped.replace(/\*\*\//g, '(?:.*/)?').replace(/\*/g, '[^/]*')}$`);
}

const projects = (config.test?.projects ?? []).map((project) => {
  const test = (project as { test: { name: string; include: string[] } }).test;
  return { name: test.name, include: test.include.map(globRegExp) };
});

describe('the test layout', () => {
  it('names each project for what its tests need', () => {
    expect(projects.map((p) => p.name)).toEqual(['pure', 'loopback', 'root', 'lab', 'system']);
  });

  it('runs every test file in exactly one project', () => {
    const files = testFiles('test');
    expect(files.length).toBeGreaterThan(50);
    const homeless = files
      .map((file) => ({ file, in: projects.filter((p) => p.include.some((re) => re.test(file))) }))
      .filter((entry) => entry.in.length !== 1)
      .map((entry) => `${entry.file}: ${entry.in.map((p) => p.name).join(', ') || 'no project'}`);
    expect(homeless).toEqual([]);
  });

  it('files each pure test in the room of src/, lab/ or scripts/ it tests, or at the top for a module of src/', () => {
    const rooms = new Set(
      readdirSync(join(ROOT, 'src'), { withFileTypes: true })
        .filter((entry) => entry.isDirectory())
        .map((entry) => entry.name)
        .concat('lab', 'scripts'),
    );
    const files = testFiles('test/unit').map((file) => relative('test/unit', file));
    expect(files.length).toBeGreaterThan(20);
    const misplaced = files.filter((file) => {
      const [room, ...rest] = file.split('/');
      return rest.length === 0 ? false : !rooms.has(room!) || rest.length > 1;
    });
    expect(misplaced).toEqual([]);
  });
});
