// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

// Node modules that reach outside the process (network, files, other processes).
const IO_MODULES = ['net', 'dns', 'tls', 'http', 'https', 'http2', 'dgram', 'fs', 'child_process'];
// Third-party modules that do network I/O themselves.
const IO_PACKAGES = ['nodemailer', 'imapflow'];
// node:net also holds pure address parsing and matching: every room may use these names.
const PURE_NET_NAMES = ['isIP', 'isIPv4', 'isIPv6', 'BlockList'];

/**
 * The rooms of src/ (a folder, or a module at the top of src/) from the top floor down: the
 * rooms each may import, and the I/O modules it may import, for the whole room (`io`) or for
 * named files only (`files`), so that one file reading a file does not open its room to I/O.
 * A room not listed here is not checked, and test/unit/boundaries.test.ts fails until it is.
 */
const ROOMS = {
  bin: { imports: ['cli'] },
  cli: {
    imports: [
      'canary',
      'config',
      'diagnosis',
      'log',
      'package-root',
      'pass',
      'ports',
      'probe',
      'report',
      'reputation',
      'serve',
      'types',
      'util',
    ],
    // The daemon's listen address may be a host name, resolved once at start.
    files: { 'listen-address.ts': ['dns'] },
  },
  serve: {
    imports: [
      'canary',
      'config',
      'log',
      'package-root',
      'pass',
      'probe',
      'report',
      'types',
      'util',
    ],
    io: ['http', 'https', 'net', 'tls', 'fs'],
  },
  // The whole pass: it runs the I/O rooms below it and decides with the pure ones.
  pass: {
    imports: [
      'clouds',
      'config',
      'diagnosis',
      'dns',
      'identity',
      'log',
      'ports',
      'probe',
      'relay',
      'reputation',
      'smtp',
      'types',
      'util',
    ],
  },
  probe: { imports: ['dns', 'log', 'ports', 'smtp', 'types', 'util'], io: ['net', 'tls', 'fs'] },
  // The delivery canary: sends through a relay, reads the mailbox back over IMAP; the config
  // parses its section (canary/config.ts), the report shows its results.
  canary: {
    imports: ['config', 'relay', 'report', 'types', 'util'],
    // run.ts does its I/O through send.ts (SMTP) and mailbox.ts (IMAP); the rest is pure.
    files: { 'send.ts': ['net', 'nodemailer'], 'mailbox.ts': ['imapflow'], 'run.ts': [] },
  },
  config: {
    imports: ['clouds', 'log', 'package-root', 'ports', 'types', 'util'],
    files: { 'text-file.ts': ['fs'], 'preflight.ts': ['fs'], 'web.ts': ['fs', 'tls'] },
  },
  // Sender identity: pure checks over the DNS client's answers; only the machine's name is read.
  identity: {
    imports: ['dns', 'reputation', 'types', 'util'],
    files: { 'machine-name.ts': ['fs'] },
  },
  diagnosis: { imports: ['ports', 'reputation', 'types', 'util'] },
  reputation: { imports: ['dns', 'log', 'ports', 'types', 'util'] },
  report: {
    imports: ['canary', 'clouds', 'identity', 'package-root', 'ports', 'types', 'util'],
    files: { 'textfile.ts': ['fs'] },
  },
  relay: {
    imports: ['log', 'ports', 'types', 'util'],
    files: { 'verify.ts': ['net', 'nodemailer'], 'secret.ts': ['fs'] },
  },
  dns: { imports: ['types', 'util'], io: ['dns'] },
  smtp: { imports: ['types', 'util'], io: ['net', 'tls'] },
  types: {},
  clouds: { imports: ['types', 'util'], files: { 'detect.ts': ['fs'] } },
  log: { imports: ['util'] },
  // Reads its own files, and asks git for the build when run from a checkout.
  'package-root': { io: ['fs', 'child_process'] },
  ports: {},
  util: { imports: ['types'], files: { 'journald.ts': ['fs'], 'secret.ts': ['fs'] } },
};
const TOP_LEVEL = new Set(['bin', 'log', 'package-root', 'ports', 'types']);

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The no-restricted-imports options for a file of `room` that may use the I/O in `io`. */
function boundaryOptions(room, io) {
  const spec = ROOMS[room];
  const allowed = spec.imports ?? [];
  const upward = TOP_LEVEL.has(room) ? '\\./' : '(?:\\.\\./)+';
  const names = [room, ...allowed].map(escape).join('|');
  const may = allowed.length > 0 ? allowed.join(', ') : 'no other room';
  const forbidden = [...IO_MODULES, ...IO_PACKAGES].filter((name) => !io.includes(name));
  const where = TOP_LEVEL.has(room) ? `src/${room}.ts` : `src/${room}/`;
  const ioMessage = `only the I/O rooms do I/O: ${where} may not import it (the room table in eslint.config.js)`;
  const nodeForbidden = forbidden.filter((name) => IO_MODULES.includes(name) && name !== 'net');
  return {
    paths: forbidden.includes('net')
      ? ['node:net', 'net'].map((name) => ({
          name,
          allowImportNames: PURE_NET_NAMES,
          allowTypeImports: true,
          message: `${ioMessage}; ${PURE_NET_NAMES.join(', ')} are pure and allowed`,
        }))
      : [],
    patterns: [
      {
        regex: `^${upward}(?!(?:${names})(?:/|\\.js$))`,
        message: `${where} may import only ${may} (the room table in eslint.config.js)`,
      },
      ...(nodeForbidden.length > 0
        ? [
            {
              regex: `^(?:node:)?(?:${nodeForbidden.map(escape).join('|')})(?:/.*)?$`,
              allowTypeImports: true,
              message: ioMessage,
            },
          ]
        : []),
      ...forbidden
        .filter((name) => IO_PACKAGES.includes(name))
        .map((name) => ({
          regex: `^${escape(name)}$`,
          allowTypeImports: true,
          message: ioMessage,
        })),
    ],
  };
}

const rule = (options) => ({ '@typescript-eslint/no-restricted-imports': ['error', options] });
const roomGlob = (room) => (TOP_LEVEL.has(room) ? `src/${room}.ts` : `src/${room}/**/*.ts`);

/** One config block per room, then one per file that may do more than its room. */
const roomBoundaries = [
  ...Object.keys(ROOMS).map((room) => ({
    files: [roomGlob(room)],
    rules: rule(boundaryOptions(room, ROOMS[room].io ?? [])),
  })),
  ...Object.entries(ROOMS).flatMap(([room, spec]) =>
    Object.entries(spec.files ?? {}).map(([file, io]) => ({
      files: [`src/${room}/${file}`],
      rules: rule(boundaryOptions(room, [...(spec.io ?? []), ...io])),
    })),
  ),
];

export default tseslint.config(
  { ignores: ['dist/', 'release/', 'node_modules/', 'coverage/', 'deploy/', 'eslint.config.js'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  ...roomBoundaries,
  {
    // Plain Node scripts outside the TypeScript project: linted without type information.
    files: ['**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: { process: 'readonly', URL: 'readonly' },
    },
  },
  {
    // The pure project: no network, no child process, no loopback helper (those tests go to
    // test/loopback/, or further out by what they need).
    files: ['test/unit/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?:node:)?(?:net|dns|tls|http|https|http2|dgram|child_process)(?:/.*)?$',
              allowTypeImports: true,
              message:
                'a pure test opens no socket and starts no process: put it in test/loopback/',
            },
            {
              regex:
                '/(?:helpers/(?:loopback-servers|hostile-servers|run-mxprobe|daemon-process|prometheus|systemd-container|soak)|lab/dns-server|bench/footprint[a-z-]*)\\.js$',
              message:
                'a pure test opens no socket and starts no process: put it in test/loopback/',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
);
