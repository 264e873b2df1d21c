// Preloaded into mxprobe (node --import) to run it out of file descriptors at the worst moment:
// the first time it opens a TCP connection, every free descriptor is taken (by /dev/null), so
// that connection and all after it fail with the kernel's own EMFILE, as on a machine whose
// descriptors something else holds.
import { openSync } from 'node:fs';
import net from 'node:net';
import { syncBuiltinESMExports } from 'node:module';

const held = [];
function starve() {
  if (held.length > 0) return;
  try {
    for (;;) held.push(openSync('/dev/null', 'r'));
  } catch {
    // EMFILE: every descriptor is taken now.
  }
}
for (const name of ['connect', 'createConnection']) {
  const original = net[name];
  net[name] = function starved(...args) {
    starve();
    return original.apply(this, args);
  };
}
syncBuiltinESMExports();
