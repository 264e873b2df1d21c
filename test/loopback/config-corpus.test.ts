// A corpus of bad and odd config files (test/fixtures/config/), each given to `check-config`
// and to `probe --once` as a careless operator would: every bad one is refused with exit 2 and
// exactly one line on stderr that names the file and the field (no stack trace, no raw bytes
// of the file, nothing on stdout), read in bounded time, with no DNS query (test/helpers/no-dns.mjs).
// The odd but valid ones are taken, in the form mxprobe keeps them.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mxprobe, type Run } from '../helpers/run-mxprobe.js';

const CORPUS = join(import.meta.dirname, '../fixtures/config');
const NO_DNS = ['--import', join(import.meta.dirname, '../helpers/no-dns.mjs')];
const dir = mkdtempSync(join(tmpdir(), 'mxprobe-corpus-'));

/** Fixture file → what its one line must say (after "mxprobe: FILE[:LINE]: "). */
const BAD: Record<string, RegExp> = {
  'syntax-unclosed-flow.yaml': /:\d+: invalid YAML: /,
  'syntax-two-errors.yaml': /:\d+: invalid YAML: .*\(and \d+ more YAML errors?\)$/,
  'syntax-tab-indent.yaml': /:\d+: invalid YAML: /,
  'syntax-duplicate-key.yaml': /:2: invalid YAML: Map keys must be unique/,
  'syntax-multi-document.yaml': /invalid YAML: .*multiple documents/i,
  'syntax-deep-nesting.yaml': /invalid YAML: /,
  'syntax-top-level-list.yaml': /expected a mapping of settings at the top level$/,
  'syntax-empty.yaml': /the file is empty; expected a mapping with at least "targets"$/,
  'syntax-only-comments.yaml': /the file is empty/,
  'syntax-scalar-document.yaml': /expected a mapping of settings at the top level$/,
  'types-targets-mapping.yaml':
    /:1: targets: expected a non-empty list of targets .*got a mapping$/,
  'types-ports-string.yaml':
    /:3: targets\[0\]\.ports: expected a non-empty list of ports .*got "9"$/,
  'types-port-quoted.yaml':
    /:3: targets\[0\]\.ports\[0\]: expected a port number from 1 to 65535, got "9"$/,
  'types-concurrency-string.yaml':
    /:1: concurrency: expected a whole number from 1 to 256, got "16"$/,
  'types-family-seven.yaml': /:1: family: expected 4, 6 or any, got 7$/,
  'types-duration-bare-number.yaml':
    /:1: connectTimeout: expected a duration such as "1500ms", "10s" or "5m", got 5$/,
  'types-enabled-yes.yaml': /:2: cloudDetection\.enabled: expected true or false, got "yes"$/,
  'types-null-target.yaml':
    /:2: targets\[0\]: expected a mapping with domain: or host: and ports:, got null$/,
  'types-unknown-key.yaml': /:1: intervall: unknown key; expected one of interval, splay, listen, /,
  'types-unknown-key-escapes.yaml': /:1: \\x1b\[31mred\\x1b\]0;owned\\x07: unknown key/,
  'types-domain-and-host.yaml': /:2: targets\[0\]: give either domain: or host:, not both$/,
  'range-port-70000.yaml':
    /:3: targets\[0\]\.ports\[1\]: expected a port number from 1 to 65535, got 70000$/,
  'range-port-zero.yaml':
    /:3: targets\[0\]\.ports\[0\]: expected a port number from 1 to 65535, got 0$/,
  'range-port-negative.yaml':
    /:3: targets\[0\]\.ports\[0\]: expected a port number from 1 to 65535, got -25$/,
  'range-concurrency-zero.yaml': /:1: concurrency: expected a whole number from 1 to 256, got 0$/,
  'range-concurrency-huge.yaml':
    /:1: concurrency: expected a whole number from 1 to 256, got Infinity$/,
  'range-interval-below-floor.yaml':
    /:1: interval: expected at least 1m \(the floor that keeps mxprobe from hammering mail providers\), got "5s"$/,
  'range-interval-month.yaml': /:1: interval: expected a duration from 10ms to 24h, got "720h"$/,
  'range-connect-timeout-25-days.yaml':
    /:1: connectTimeout: expected a duration from 100ms to 1m, got "600h"$/,
  'range-greeting-timeout-1ms.yaml':
    /:1: greetingTimeout: expected a duration from 100ms to 5m, got "1ms"$/,
  'range-host-spacing-2h.yaml': /:1: hostSpacing: expected a duration from 1ms to 1m, got "2h"$/,
  'range-cloud-timeout-10m.yaml':
    /:2: cloudDetection\.timeout: expected a duration from 10ms to 30s, got "10m"$/,
  'range-negative-duration.yaml':
    /:1: connectTimeout: expected a duration such as "1500ms", "10s" or "5m", got "-1s"$/,
  'range-duration-overflow.yaml': /:1: greetingTimeout: expected a duration .*got "9{40,}/,
  'size-2001-targets.yaml': /:1: targets: 2001 targets; at most 2000 are allowed in one config$/,
  'size-65-relays.yaml': /:4: relays: 65 relays; at most 64 are allowed in one config$/,
  'size-60k-host-name.yaml':
    /:2: targets\[0\]\.host: expected a host name or IP address, got "a{20,}…$/,
  'alias-bomb.yaml':
    /: YAML aliases expand too far \(more than 100 references\); write the values out$/,
  'alias-undefined.yaml': /: invalid YAML: Unresolved alias .*: nowhere$/,
  'alias-merge-key.yaml': /:5: targets\[0\]\.<<: unknown key; expected one of domain, host, ports$/,
  'enc-latin1.yaml': /:2: not UTF-8 text \(byte 0xfc at offset 22\); save the file as UTF-8$/,
  'enc-utf16le.yaml': /: the config file is UTF-16 text; save it as UTF-8$/,
  'enc-binary.yaml': /: not a text file \(a NUL byte at offset 3\); expected a YAML config$/,
  'enc-escape-in-value.yaml':
    /:2: (invalid YAML: .*|targets\[0\]\.host: expected a host name or IP address, got "mx\\u001b\[31m\\u0007\.example")$/,
  'ipv6-brackets.yaml':
    /:2: targets\[0\]\.host: expected a host name or IP address, got "\[2001:db8::1\]"$/,
  'ipv6-triple-colon.yaml':
    /:2: targets\[0\]\.host: expected a host name or IP address, got "2001:db8:::1"$/,
  'ipv6-bad-hex.yaml':
    /:2: targets\[0\]\.host: expected a host name or IP address, got "2001:db8::g"$/,
  'ipv6-dns-server-bad-port.yaml':
    /:1: dnsServers\[0\]: expected an IP address with an optional port, got "\[2001:db8::53\]:99999"$/,
  'ipv6-dns-server-name.yaml':
    /:1: dnsServers\[0\]: expected an IP address with an optional port, got "dns\.example"$/,
  'ipv4-leading-zeros.yaml':
    /:2: targets\[0\]\.host: expected a host name or IP address, got "127\.000\.000\.001"$/,
  'ipv4-short-form.yaml':
    /:2: targets\[0\]\.host: expected a host name or IP address, got "10\.1"$/,
  'ipv4-hex-form.yaml':
    /:2: targets\[0\]\.host: expected a host name or IP address, got "0x7f\.0\.0\.1"$/,
  'idn-space.yaml':
    /:2: targets\[0\]\.domain: expected a mail domain such as example\.com, got "bü cher\.example"$/,
  'idn-bad-punycode.yaml':
    /:2: targets\[0\]\.domain: expected a mail domain such as example\.com, got "xn--zz\.example"$/,
  'name-too-long.yaml':
    /:2: targets\[0\]\.domain: expected a mail domain such as example\.com, got "a{60}\./,
  'name-url.yaml':
    /:2: targets\[0\]\.host: expected a host name or IP address, got "smtp:\/\/smtp\.example\.com"$/,
  'name-with-port.yaml':
    /:2: targets\[0\]\.host: expected a host name or IP address, got "smtp\.example\.com:587"$/,
  'relay-missing-password-file.yaml':
    /: relays\[0\] \(acs\): cannot read passwordFile \/nonexistent\/mxprobe-corpus\/acs: no such file$/,
  'relay-unset-password-env.yaml':
    /: relays\[0\] \(acs\): environment variable MXPROBE_CORPUS_UNSET_VARIABLE is not set or empty$/,
  'relay-empty-password-file.yaml':
    /: relays\[0\] \(acs\): passwordFile test\/fixtures\/config\/empty-secret is empty$/,
  'relay-password-file-is-directory.yaml':
    /: relays\[0\] \(acs\): cannot read passwordFile test\/fixtures\/config: is a directory$/,
  'relay-username-without-password.yaml':
    /:5: relays\[0\]: username: is set but no password: give passwordFile: or passwordEnv:$/,
  'relay-password-without-username.yaml':
    /:5: relays\[0\]: a password is given but no username:, so it would never be used$/,
  'relay-both-passwords.yaml':
    /:5: relays\[0\]: give either passwordFile: or passwordEnv:, not both$/,
  'relay-duplicate-name.yaml': /:6: relays\[1\]\.name: duplicate relay name "acs"$/,
  'relay-bad-secure.yaml': /:5: relays\[0\]\.secure: expected starttls, tls or none, got "ssl"$/,
  'relay-missing-host.yaml':
    /:5: relays\[0\]\.host: expected a host name or IP address, got nothing$/,
  'relay-port-string.yaml':
    /:5: relays\[0\]\.port: expected a port number from 1 to 65535, got "587"$/,
  'listen-port-zero.yaml': /:1: listen: expected an address and port .*got ":0"$/,
  'listen-no-port.yaml': /:1: listen: expected an address and port .*got "127\.0\.0\.1"$/,
  'listen-ipv6-unbracketed.yaml': /:1: listen: expected an address and port .*got "::1:9725"$/,
  'listen-number.yaml': /:1: listen: expected an address and port .*got 9725$/,
  'listen-bad-ipv4.yaml': /:1: listen: expected an address and port .*got "300\.1\.1\.1:9725"$/,
};

function expectOneLine(run: Run, file: string, message: RegExp): void {
  expect(run.code, run.stderr).toBe(2);
  expect(run.stdout).toBe('');
  const lines = run.stderr.split('\n');
  expect(lines, run.stderr).toHaveLength(2); // one line and its newline
  expect(lines[1]).toBe('');
  const line = lines[0] ?? '';
  expect(line.startsWith(`mxprobe: ${file}`), line).toBe(true);
  expect(line.slice(`mxprobe: ${file}`.length)).toMatch(message);
  expect(line.length).toBeLessThan(1_000);
  // Nothing raw from the file: no control characters, no stack trace, no DNS.
  // eslint-disable-next-line no-control-regex -- looking for raw control characters
  expect(line).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/);
  expect(line).not.toMatch(/\bat .*\.js:\d+/);
}

function both(file: string, env: NodeJS.ProcessEnv = {}): Promise<Run[]> {
  return Promise.all([
    mxprobe(['check-config', '--config', file], env, { nodeArgs: NO_DNS }),
    mxprobe(['probe', '--once', '--no-cloud-detection', '--config', file], env, {
      nodeArgs: NO_DNS,
    }),
  ]);
}

describe.concurrent(
  'bad config files: exit 2, one line naming file and field (check-config and probe)',
  () => {
    it('the corpus has at least 40 of them', () => {
      expect(Object.keys(BAD).length).toBeGreaterThanOrEqual(40);
    });

    it.each(Object.entries(BAD))('%s', async (name, message) => {
      const file = join('test/fixtures/config', name);
      for (const run of await both(file)) expectOneLine(run, file, message);
    });

    it('a 10 MB file is refused after reading its first 256 KiB', async () => {
      const file = join(dir, 'ten-megabytes.yaml');
      writeFileSync(file, `targets:\n${'  - host: 127.0.0.1\n    ports: [9]\n'.repeat(300_000)}`);
      for (const run of await both(file)) {
        expectOneLine(
          run,
          file,
          /: the config file is larger than 256 KiB, the most mxprobe reads/,
        );
        expect(run.ms).toBeLessThan(5_000);
      }
    });

    it('a device that never ends (/dev/zero) is refused the same way', async () => {
      for (const run of await both('/dev/zero'))
        expectOneLine(run, '/dev/zero', /: the config file is larger than 256 KiB/);
    });

    it('a missing file and a directory', async () => {
      for (const run of await both(join(dir, 'missing.yaml')))
        expectOneLine(run, join(dir, 'missing.yaml'), /: cannot read config file: no such file$/);
      for (const run of await both(dir))
        expectOneLine(run, dir, /: cannot read config file: is a directory$/);
    });
  },
);

describe.concurrent('odd but valid config files are taken, in the form mxprobe keeps', () => {
  it.each([
    ['bom.yaml', /host: 127\.0\.0\.1/],
    ['crlf.yaml', /host: 127\.0\.0\.1/],
    ['idn.yaml', /domain: xn--bcher-kva\.example\n/],
    ['ipv6-long-form.yaml', /host: 2001:db8::1\n/],
    ['aliases.yaml', /host: 127\.0\.0\.2\n {4}ports:\n {6}- 9\n {6}- 10\n/],
    // A listen host name is resolved when the daemon starts, never by check-config.
    ['listen-localhost.yaml', /^listen: localhost:9725$/m],
    ['listen-host-name.yaml', /^listen: mail\.example:9725$/m],
  ])('%s', async (name, output) => {
    const run = await mxprobe(
      ['check-config', '--config', join(CORPUS, 'valid', name)],
      {},
      {
        nodeArgs: NO_DNS,
      },
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(output);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/config is valid/);
  });

  it('targets named twice are merged with their ports, with one warning line', async () => {
    const file = join(CORPUS, 'valid', 'duplicates.yaml');
    const run = await mxprobe(['check-config', '--config', file], {}, { nodeArgs: NO_DNS });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /- host: 127\.0\.0\.1\n {4}ports:\n {6}- 9\n {6}- 10\n {2}- host: ::1\n/,
    );
    const lines = run.stderr.trim().split('\n');
    expect(lines).toEqual([
      `mxprobe: warning: ${file}: targets named more than once are probed once, their ports joined: host 127.0.0.1 ×2, host ::1 ×2`,
      `mxprobe: ${file}: config is valid (2 targets, no relays)`,
    ]);
  });

  it('a password file every user can read is a warning, one line, exit 0', async () => {
    const secret = join(dir, 'world-readable-secret');
    writeFileSync(secret, 'not a real password\n', { mode: 0o644 });
    const file = join(dir, 'relay.yaml');
    writeFileSync(
      file,
      `targets:\n  - host: 127.0.0.1\n    ports: [9]\nrelays:\n  - name: acs\n    host: 127.0.0.1\n    port: 9\n    username: probe\n    passwordFile: ${secret}\n`,
    );
    const run = await mxprobe(['check-config', '--config', file], {}, { nodeArgs: NO_DNS });
    expect(run.code).toBe(0);
    expect(run.stderr.trim().split('\n')).toEqual([
      `mxprobe: warning: ${file}: relays[0] (acs): passwordFile ${secret} is readable by every user (mode 0644); make it 0600, or hand it over as a systemd credential`,
      `mxprobe: ${file}: config is valid (1 target, 1 relay)`,
    ]);
    expect(run.stdout).not.toContain('not a real password');
  });
});
