// `npm run lab -- <scenario> [--json] [--shell] [--instance NAME] [-- mxprobe flags...]`: see
// mxprobe at work on a network that blocks SMTP the way a cloud does, without a cloud account.
// Brings the lab up, applies the scenario, runs `mxprobe probe --once` in the VM namespace (or
// opens a shell there), and tears everything down on every way out: normal end, error, Ctrl-C,
// SIGTERM. Everything it builds or removes belongs to one lab instance (instance.ts).

import { spawn } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import {
  INSTANCE_ENV,
  InstanceNameError,
  labNames,
  labNamesFromEnv,
  MAX_INSTANCE_NAME_LENGTH,
  parseInstanceName,
  type LabNames,
} from './instance.js';
import { Lab, ownedMessage } from './lab.js';
import { labPrerequisites } from './preflight.js';
import { isScenarioName, scenario, SCENARIO_NAMES, type Scenario } from './scenarios.js';
import { LAB_PASSWORD, LAB_USER } from './servers.js';
import { MISBEHAVING, PROVIDERS } from './zone.js';

const USAGE = `usage: npm run lab -- <scenario> [--json] [--shell] [--instance NAME] [-- mxprobe flags]
       npm run lab -- down [--instance NAME]  remove a lab left behind (namespaces, processes)
       npm run lab -- check                   say whether this machine can run the lab

Builds a small network of namespaces (a VM, a router that applies the scenario's egress
policy, and a fake Internet with DNS and mail servers), runs \`mxprobe probe --once\` in the VM
and tears it all down again. Needs root (network namespaces, nftables).

  --json           print mxprobe's JSON report instead of the table
  --shell          instead of probing, open a shell inside the VM namespace (mxprobe, swaks and
                   nc work there); the lab is torn down when the shell exits
  --instance NAME  a lab of its own, next to any other: 1 to ${MAX_INSTANCE_NAME_LENGTH} characters, a-z and 0-9
                   (default: $${INSTANCE_ENV}, else the default lab); down removes only its own

scenarios:
${SCENARIO_NAMES.map((n) => `  ${n.padEnd(12)} ${scenario(n).summary}`).join('\n')}
`;

interface Args {
  command: 'run' | 'down' | 'check' | 'help';
  scenario?: Scenario;
  json: boolean;
  shell: boolean;
  names: LabNames;
  extra: string[];
}

class UsageError extends Error {}

/**
 * Reads the command line; the instance comes from `--instance`, else from MXLAB_INSTANCE.
 * A bad instance name is an InstanceNameError (one line), anything else a UsageError.
 */
export function parseArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): Args {
  const dashDash = argv.indexOf('--');
  const own = dashDash < 0 ? argv : argv.slice(0, dashDash);
  let names: LabNames | undefined;
  const rest: string[] = [];
  for (let i = 0; i < own.length; i++) {
    const arg = own[i] ?? '';
    if (arg === '--instance' || arg.startsWith('--instance=')) {
      const value = arg === '--instance' ? own[++i] : arg.slice('--instance='.length);
      if (value === undefined) throw new UsageError('--instance needs a name');
      names = labNames(parseInstanceName(value, '--instance'));
    } else rest.push(arg);
  }
  const args: Args = {
    command: 'run',
    json: false,
    shell: false,
    names: names ?? labNamesFromEnv(env),
    extra: dashDash < 0 ? [] : argv.slice(dashDash + 1),
  };
  for (const arg of rest) {
    if (arg === '--help' || arg === '-h' || arg === 'help') args.command = 'help';
    else if (arg === '--json') args.json = true;
    else if (arg === '--shell') args.shell = true;
    else if (arg === 'down' || arg === 'check') args.command = arg;
    else if (isScenarioName(arg)) {
      if (args.scenario)
        throw new UsageError(`one scenario at a time (got ${args.scenario.name} and ${arg})`);
      args.scenario = scenario(arg);
    } else if (arg.startsWith('-'))
      throw new UsageError(`unknown option ${arg} (mxprobe flags go after --)`);
    else throw new UsageError(`unknown scenario "${arg}"; scenarios: ${SCENARIO_NAMES.join(', ')}`);
  }
  if (args.command === 'run' && !args.scenario)
    throw new UsageError(`name a scenario: ${SCENARIO_NAMES.join(', ')}`);
  return args;
}

const say = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

function shellBanner(s: Scenario, lab: Lab): string {
  const p0 = PROVIDERS[0];
  const hosts = [
    ...PROVIDERS.map(
      (p) =>
        `${p.domain} (MX ${p.mx.map((m) => m.name).join(', ')}; submission ${p.submission.name})`,
    ),
    ...MISBEHAVING.map((h) => `${h.name} (${h.behaviour})`),
  ];
  return [
    '',
    `You are in the lab VM (namespace ${lab.names.namespaces.vm}); scenario ${s.name}: ${s.summary}.`,
    `What mxprobe should say: ${s.expect}.`,
    '',
    'Try:',
    `  mxprobe probe --once --config ${lab.paths.probeSet}`,
    `  mxprobe probe --once --domain ${p0?.domain ?? 'alpha.example'} --ports 25`,
    `  swaks --server ${p0?.mx[0]?.name ?? ''} --port 25 --to user@${p0?.domain ?? ''} --quit-after EHLO`,
    `  swaks --server ${p0?.submission.name ?? ''} --port 587 -tls --auth-user ${LAB_USER} --auth-password ${LAB_PASSWORD} --to user@${p0?.domain ?? ''}`,
    `  nc -vz -w 3 ${p0?.mx[0]?.ipv4 ?? ''} 25`,
    '',
    'Lab hosts:',
    ...hosts.map((h) => `  ${h}`),
    '',
    'Leave with `exit` (or Ctrl-D): the lab is torn down.',
    '',
  ].join('\n');
}

/** The exit status of the lab front end: mxprobe's own when it ran, else ours. */
async function runScenario(args: Args & { scenario: Scenario }): Promise<number> {
  const lab = new Lab({ names: args.names, log: (line) => say(`lab: ${line}`) });
  // Checked before any teardown is armed: an instance another run owns must be left alone.
  const owner = lab.owner();
  if (owner !== undefined) {
    say(`lab: ${ownedMessage(lab.names, owner)}`);
    return 1;
  }
  let tornDown = false;
  const teardown = (): void => {
    if (tornDown) return;
    tornDown = true;
    const { durationMs } = lab.down();
    say(`lab: torn down in ${durationMs} ms`);
  };
  // Every way out tears the lab down: a signal, an uncaught error, or the normal end.
  let shellRunning = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    // In --shell, Ctrl-C belongs to the shell; a SIGTERM still ends everything.
    if (shellRunning && signal === 'SIGINT') return;
    teardown();
    process.exitCode = signal === 'SIGINT' ? 130 : 143;
    // Leave now: the pending work (probe, shell) has lost its lab anyway.
    process.exit();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  process.on('exit', teardown);

  try {
    const { durationMs } = await lab.up();
    say(`lab: up in ${durationMs} ms`);
    lab.apply(args.scenario.name);
    say(`lab: scenario ${args.scenario.name}: ${args.scenario.summary}`);
    say(`lab: expect ${args.scenario.expect}`);

    if (args.shell) {
      say(shellBanner(args.scenario, lab));
      shellRunning = true;
      const instance = lab.names.instance === undefined ? '' : ` ${lab.names.instance}`;
      const code = await new Promise<number>((resolve, reject) => {
        const shell = spawn(
          'ip',
          ['netns', 'exec', lab.names.namespaces.vm, 'bash', '--norc', '-i'],
          {
            stdio: 'inherit',
            env: lab.vmEnv({
              PS1: `[mxlab${instance} ${args.scenario.name}] \\w# `,
              MXLAB_SCENARIO: args.scenario.name,
            }),
          },
        );
        shell.once('error', reject);
        shell.once('close', (c) => resolve(c ?? 0));
      });
      shellRunning = false;
      return code;
    }

    const probeArgs = [
      'probe',
      '--once',
      '--config',
      lab.paths.probeSet,
      ...(args.json ? ['--json'] : []),
      ...args.extra,
    ];
    say(`lab: running in the VM: mxprobe ${probeArgs.join(' ')}\n`);
    const result = await lab.mxprobe(probeArgs, { inherit: true });
    say(`\nlab: mxprobe exited with status ${String(result.code ?? result.signal)}`);
    return result.code ?? 1;
  } finally {
    teardown();
    process.off('exit', teardown);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onSignal);
  }
}

export async function main(argv: string[]): Promise<number> {
  let args: Args;
  try {
    args = parseArgs(argv);
  } catch (error) {
    if (error instanceof InstanceNameError) {
      say(`lab: ${error.message}`);
      return 2;
    }
    if (!(error instanceof UsageError)) throw error;
    say(`lab: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  switch (args.command) {
    case 'help':
      process.stdout.write(USAGE);
      return 0;
    case 'check': {
      const missing = labPrerequisites();
      if (missing.length === 0) {
        process.stdout.write('lab: this machine can run the lab\n');
        return 0;
      }
      process.stdout.write(`lab: cannot run here:\n${missing.map((m) => `  - ${m}`).join('\n')}\n`);
      return 1;
    }
    case 'down': {
      const missing = labPrerequisites().filter((m) => m.startsWith('root'));
      if (missing.length > 0) {
        say(`lab: ${missing.join('; ')}`);
        return 1;
      }
      // Only this instance: another instance's namespaces, processes and files stay.
      const { removed } = new Lab({ names: args.names }).down();
      const what = [
        ...removed.namespaces,
        ...removed.links,
        ...removed.pids.map((p) => `pid ${p}`),
        ...removed.files,
      ];
      const which = args.names.instance === undefined ? '' : ` of instance ${args.names.instance}`;
      say(what.length === 0 ? `lab: nothing${which} to remove` : `lab: removed ${what.join(', ')}`);
      return 0;
    }
    case 'run': {
      const missing = labPrerequisites();
      if (missing.length > 0) {
        say(`lab: cannot run here:\n${missing.map((m) => `  - ${m}`).join('\n')}`);
        return 1;
      }
      return runScenario(args as Args & { scenario: Scenario });
    }
    default: {
      const unknown: never = args.command;
      throw new Error(`unknown command ${String(unknown)}`);
    }
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      say(`lab: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
    },
  );
}
