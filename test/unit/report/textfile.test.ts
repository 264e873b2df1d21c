// `probe --once --textfile PATH` for node_exporter's textfile collector: the file is replaced
// whole (never seen half-written), readable by the collector's user, free of process metrics.
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeTextfile } from '../../../src/report/textfile.js';
import { allOpenReport, port25BlockedReport } from '../../helpers/report-fixtures.js';

describe('writeTextfile', () => {
  it('replaces the file with the latest pass, leaving no temporary file behind', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mxprobe-textfile-'));
    const path = join(dir, 'mxprobe.prom');
    writeFileSync(path, 'stale content\n');
    await writeTextfile(port25BlockedReport(), path);
    await writeTextfile(allOpenReport(), path);
    const body = readFileSync(path, 'utf8');
    expect(body).toContain('mxprobe_diagnosis{code="ok"} 1');
    expect(body).not.toContain('stale content');
    expect(body).not.toContain('2001:db8::10');
    expect(body).not.toMatch(/^process_|^nodejs_/m);
    expect(body).not.toMatch(/^mxprobe_cycle_interval_seconds /m);
    expect(body).toMatch(/^mxprobe_last_cycle_timestamp_seconds \d+/m);
    expect(statSync(path).mode & 0o777).toBe(0o644);
    expect(readdirSync(dir)).toEqual(['mxprobe.prom']);
  });

  it('fails loudly when the directory does not exist', async () => {
    await expect(writeTextfile(allOpenReport(), '/nonexistent-dir/mxprobe.prom')).rejects.toThrow(
      /ENOENT/,
    );
  });
});
