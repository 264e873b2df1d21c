// Preloaded into mxprobe (node --import) by tests whose subject must send no DNS query: every
// DNS entry point of Node (dns, dns/promises, their Resolvers; net and http look names up
// through dns.lookup) refuses, and says so on stderr, so the test sees any attempt.
import dns from 'node:dns';
import dnsPromises from 'node:dns/promises';
import { syncBuiltinESMExports } from 'node:module';

export const DNS_ATTEMPT_MARKER = 'mxprobe-test: DNS query attempted';

const refuse = (what) =>
  function refused() {
    process.stderr.write(`${DNS_ATTEMPT_MARKER} (${what})\n`);
    throw Object.assign(new Error(`DNS is off in this test (${what})`), { code: 'EREFUSED' });
  };

for (const module of [dns, dnsPromises]) {
  for (const name of Object.keys(module)) {
    if (/^(lookup|lookupService|resolve|reverse)/.test(name) && typeof module[name] === 'function')
      module[name] = refuse(name);
  }
  for (const name of Object.getOwnPropertyNames(module.Resolver.prototype)) {
    if (/^(resolve|reverse)/.test(name))
      module.Resolver.prototype[name] = refuse(`Resolver.${name}`);
  }
}
syncBuiltinESMExports();
