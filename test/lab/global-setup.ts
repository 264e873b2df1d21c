// Brings the lab up once for every lab test file and removes it afterwards, on every way out:
// the normal end, a failed test, an error in setup, Ctrl-C or SIGTERM. A lab that cannot
// come up fails the run with the reason; it is never skipped. The lab is the instance that
// MXLAB_INSTANCE names (the default lab when unset), so two checkouts can run the lab tests at
// the same time, each with its own instance; test workers inherit the variable.

import { execFileSync } from 'node:child_process';
import { Lab, ownedMessage, REPO_ROOT } from '../../lab/lab.js';
import { labPrerequisites } from '../../lab/preflight.js';

export default async function setup(): Promise<() => void> {
  const missing = labPrerequisites();
  if (missing.length > 0)
    throw new Error(`the lab cannot come up on this machine: ${missing.join('; ')}`);

  // The lab tests drive the built CLI (dist/), as a user would: build it so it is never stale.
  try {
    execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: REPO_ROOT, stdio: 'pipe' });
  } catch (error) {
    const out = (error as { stdout?: Buffer }).stdout?.toString() ?? '';
    throw new Error(`npm run build failed, so the lab tests cannot run the CLI:\n${out}`, {
      cause: error,
    });
  }

  const lab = new Lab({ log: (line) => process.stderr.write(`lab: ${line}\n`) });
  // Before any teardown is armed: an instance that another live process owns is not ours to remove.
  const owner = lab.owner();
  if (owner !== undefined) throw new Error(ownedMessage(lab.names, owner));

  let down = false;
  const teardown = (): void => {
    if (down) return;
    down = true;
    const { durationMs } = lab.down();
    process.stderr.write(`lab: down in ${durationMs} ms\n`);
    const left = lab.leftovers();
    const what = [
      ...left.namespaces,
      ...left.links,
      ...left.pids.map((p) => `pid ${p}`),
      ...left.files,
    ];
    if (what.length > 0) throw new Error(`the lab left things behind: ${what.join(', ')}`);
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    teardown();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.once('exit', teardown);

  const { durationMs } = await lab.up();
  process.stderr.write(`lab: ${lab.names.namespaces.vm} and the rest up in ${durationMs} ms\n`);
  // Test files that take the lab down and up again (cli.test.ts) make these processes exit;
  // that is expected, so stop reporting it from here.
  lab.log = () => undefined;
  return teardown;
}
