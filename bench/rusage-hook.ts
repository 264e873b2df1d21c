// Loaded by the bench in front of mxprobe (`node --import …/rusage-hook.js`): when the process
// exits, one line on stderr with its peak RSS and CPU time, which the bench reads. Nothing else
// changes: the hook only listens for `exit`.

import { RUSAGE_PREFIX, type Rusage } from './common.js';

process.on('exit', () => {
  const usage = process.resourceUsage();
  const line: Rusage = {
    maxRssKiB: usage.maxRSS,
    userMs: Math.round(usage.userCPUTime / 1000),
    systemMs: Math.round(usage.systemCPUTime / 1000),
  };
  process.stderr.write(`${RUSAGE_PREFIX}${JSON.stringify(line)}\n`);
});
