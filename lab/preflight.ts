// Can this machine run the lab? Root (namespaces and nftables need CAP_NET_ADMIN) and the
// tools the lab drives. Returns one sentence per missing piece; empty means yes. The test
// runner uses it to say why the lab tests did not run; the lab itself refuses to start
// without it instead of failing half-way.

import { execFileSync } from 'node:child_process';

/** Each tool with the Debian package that provides it. */
export const REQUIRED_TOOLS: ReadonlyArray<{ tool: string; probe: string[]; apt: string }> = [
  { tool: 'ip', probe: ['ip', '-V'], apt: 'iproute2' },
  { tool: 'nft', probe: ['nft', '--version'], apt: 'nftables' },
  { tool: 'dnsmasq', probe: ['dnsmasq', '--version'], apt: 'dnsmasq-base' },
  { tool: 'openssl', probe: ['openssl', 'version'], apt: 'openssl' },
];

function works(argv: string[]): boolean {
  const [file, ...args] = argv;
  if (file === undefined) return false;
  try {
    execFileSync(file, args, { stdio: 'ignore', timeout: 5_000 });
    return true;
  } catch {
    return false;
  }
}

export function labPrerequisites(): string[] {
  const missing: string[] = [];
  if (process.platform !== 'linux')
    missing.push(`the lab needs Linux network namespaces (this is ${process.platform})`);
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    missing.push('root is needed (network namespaces and nftables); run it with sudo');
  }
  for (const { tool, probe, apt } of REQUIRED_TOOLS) {
    if (!works(probe)) missing.push(`${tool} is missing (apt-get install ${apt})`);
  }
  return missing;
}
