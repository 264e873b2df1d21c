// `probe --once --textfile PATH`: the same metrics as the daemon's /metrics, written for
// node_exporter's textfile collector. The file is replaced atomically (write a temporary file in
// the same directory, then rename) so the collector never reads half of it; the temporary name
// does not end in .prom, so the collector never picks it up either.

import { chmod, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { buildInfo, VERSION } from '../package-root.js';
import type { Report } from '../types.js';
import { Metrics } from './metrics.js';

/** The exposition for one finished pass. Process metrics stay out: they would describe a
 * short-lived cron process and clash with node_exporter's own. */
export async function textfileExposition(report: Report, finishedAt: Date): Promise<string> {
  const metrics = new Metrics({
    version: VERSION,
    revision: buildInfo().revision,
    nodejs: process.version,
    processMetrics: false,
  });
  metrics.record(report, finishedAt);
  return (await metrics.render('prometheus')).body;
}

export async function writeTextfile(report: Report, path: string): Promise<void> {
  const body = await textfileExposition(report, new Date());
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    await writeFile(temporary, body, { mode: 0o644 });
    // The mode passed to writeFile is filtered by the umask; node_exporter runs as another user.
    await chmod(temporary, 0o644);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
