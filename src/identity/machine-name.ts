// This machine's fully qualified name, the EHLO name when the config sets none: the host name,
// or its dotted alias in /etc/hosts (what `hostname -f` finds), read without any DNS question.

import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { machineFqdn } from './ehlo.js';

export async function localMachineName(hostsFile = '/etc/hosts'): Promise<string> {
  const hosts = await readFile(hostsFile, 'utf8').catch(() => '');
  return machineFqdn(hostname(), hosts);
}
