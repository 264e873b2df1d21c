// What every artifact of a release is stamped with, fixed by the checkout so that two builds of
// the same commit are byte for byte the same (https://reproducible-builds.org/docs/source-date-epoch/):
// the release time, SOURCE_DATE_EPOCH or else the last commit's, and the commit itself.
import { execFileSync } from 'node:child_process';

function git(args) {
  try {
    return execFileSync('git', args, {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return '';
  }
}

/** The release time in seconds: SOURCE_DATE_EPOCH, else the last commit's, else now. */
export function releaseEpoch() {
  const seconds = Number(process.env.SOURCE_DATE_EPOCH || git(['log', '-1', '--format=%ct']));
  return Number.isInteger(seconds) && seconds > 0 ? seconds : Math.floor(Date.now() / 1000);
}

/** The commit being released (12 hex digits), or "unknown" outside a git checkout. */
export function releaseRevision() {
  const revision = git(['rev-parse', 'HEAD']);
  return /^[0-9a-f]{40}$/.test(revision) ? revision.slice(0, 12) : 'unknown';
}
