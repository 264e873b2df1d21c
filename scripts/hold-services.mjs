// Debian packages start their services on install (prometheus, its exporters, alertmanager). A
// test command must not start a service, nor stop one it did not start: while it installs
// packages, /usr/sbin/policy-rc.d answers 101 ("action forbidden"), which invoke-rc.d and
// deb-systemd-invoke honour, so nothing new starts and running services are left alone.
import { chmodSync, existsSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const POLICY = 'usr/sbin/policy-rc.d';
// Where an existing policy waits while ours is in place; also found after a crash.
const SAVED = 'usr/sbin/policy-rc.d.before-mxprobe';
export const FORBID_ALL =
  '#!/bin/sh\n# mxprobe: no service starts while its tests install packages\nexit 101\n';

/** Puts the forbidding policy in place under `root`; returns the function that undoes it. */
export function holdServices(root = '/') {
  const policy = join(root, POLICY);
  const saved = join(root, SAVED);
  // A run that died while holding left the machine's own policy aside: that one is the original.
  if (existsSync(saved)) renameSync(saved, policy);
  const hadPolicy = existsSync(policy);
  if (hadPolicy) renameSync(policy, saved);
  writeFileSync(policy, FORBID_ALL);
  chmodSync(policy, 0o755);
  return function release() {
    rmSync(policy, { force: true });
    if (hadPolicy) renameSync(saved, policy);
  };
}

/** Runs `install` with services held, and always lets them go again. */
export function withServicesHeld(install, root = '/') {
  const release = holdServices(root);
  try {
    return install();
  } finally {
    release();
  }
}
