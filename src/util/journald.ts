// Whether a stream is connected to journald. systemd sets JOURNAL_STREAM to "DEVICE:INODE" of
// the stream it connected to the journal; a child whose output was redirected elsewhere
// inherits the variable too, so it counts only when the device and inode match
// (systemd.exec(5), "JOURNAL_STREAM").

import { fstatSync } from 'node:fs';

/** Pure: does "DEVICE:INODE" name the file whose fstat this is? */
export function matchesJournalStream(
  journalStream: string | undefined,
  stat: { dev: bigint; ino: bigint },
): boolean {
  const match = /^(\d+):(\d+)$/.exec(journalStream ?? '');
  if (!match) return false;
  return BigInt(match[1] ?? '') === stat.dev && BigInt(match[2] ?? '') === stat.ino;
}

/** Is the file descriptor the stream journald reads? False when it cannot be told. */
export function isJournalStream(
  journalStream: string | undefined,
  fd: number | undefined,
): boolean {
  if (journalStream === undefined || fd === undefined) return false;
  try {
    return matchesJournalStream(journalStream, fstatSync(fd, { bigint: true }));
  } catch {
    return false;
  }
}
