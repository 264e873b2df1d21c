// mxprobe(1), made by help2man from the executable's own --help, so that it never disagrees with
// the program: the top-level help, then the help of each command as a section of its own.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { run } from './run.mjs';

const COMMANDS = ['probe', 'check-config'];

/** Plain text as roff, kept as printed: no filling, backslashes and leading dots escaped. */
function verbatim(text) {
  const lines = text
    .trimEnd()
    .split('\n')
    .map((line) => line.replace(/\\/g, '\\e').replace(/^([.'])/, '\\&$1'));
  return ['.nf', ...lines, '.fi'].join('\n');
}

/**
 * @param {{ executable: string, version: string, summary: string, epoch: number,
 *   workDir: string }} options
 * @returns {Buffer} mxprobe.1, compressed with gzip -9n
 */
export function manPage({ executable, version, summary, epoch, workDir }) {
  const include = join(workDir, 'mxprobe.h2m');
  const sections = COMMANDS.map((command) => {
    const help = run(executable, [command, '--help'], { env: { COLUMNS: '80' } });
    return `[COMMAND ${command.toUpperCase()}]\n${verbatim(help)}\n`;
  });
  sections.push(
    '[FILES]\n.TP\n.I /etc/mxprobe/config.yaml\nthe config of the mxprobe service (mxprobe.service)\n',
  );
  writeFileSync(include, sections.join('\n'));
  const page = run(
    'help2man',
    [
      '--no-info',
      `--name=${summary}`,
      `--version-string=${version}`,
      `--include=${include}`,
      executable,
    ],
    { env: { ...process.env, SOURCE_DATE_EPOCH: String(epoch) } },
  );
  // The executable's file name (with version and architecture) is not the command's name.
  const named = page
    .replace(/mxprobe-\S+-linux-\w+/g, 'mxprobe')
    .replace(/MXPROBE-\S+-LINUX-\w+/g, 'MXPROBE');
  return gzipSync(named, { level: 9 });
}
