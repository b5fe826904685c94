import { parseArgs } from 'node:util';
import { FULL_SOAK, runSoak, type SoakOptions } from './soak';

const USAGE = `usage: npm run soak -- [--json] [--commands N] [--tasks-per-provider N] [--fault-rate R] [--duplicate-rate R] [--seed N]

Runs pause/resume commands through plan → work queues → workers against the provider simulator with faults
injected, duplicate deliveries, a Secrets Manager outage and forced deadlines, then checks that every target has
one outcome, nothing was acted on twice, nothing someone else paused was resumed, every failure is in the DLQ and
no secret leaked. Exits 1 when an invariant breaks. Defaults: 50 commands × 1,000 targets, 10% faults, 5% duplicates.`;

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    commands: { type: 'string' },
    'tasks-per-provider': { type: 'string' },
    'fault-rate': { type: 'string' },
    'duplicate-rate': { type: 'string' },
    seed: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}

function numberOption(name: string, value: string | undefined, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0 || parsed > max) {
    console.error(`--${name} must be a number from 0 to ${max}, not ${JSON.stringify(value)}`);
    process.exit(2);
  }
  return parsed;
}

const options: SoakOptions = {
  ...FULL_SOAK,
  commands: numberOption('commands', values.commands, FULL_SOAK.commands, 10_000),
  tasksPerProvider: numberOption('tasks-per-provider', values['tasks-per-provider'], FULL_SOAK.tasksPerProvider, 100_000),
  faultRate: numberOption('fault-rate', values['fault-rate'], FULL_SOAK.faultRate, 0.5),
  duplicateRate: numberOption('duplicate-rate', values['duplicate-rate'], FULL_SOAK.duplicateRate, 1),
  seed: numberOption('seed', values.seed, FULL_SOAK.seed, 2 ** 31),
  // Progress goes to stderr, so `--json` keeps stdout to the one object.
  log: (line) => console.error(line),
};

const { report, broken } = await runSoak(options);
if (values.json) {
  console.log(JSON.stringify(report));
} else {
  console.log(JSON.stringify(report, null, 2));
  console.log(broken.length ? `INVARIANTS BROKEN:\n- ${broken.join('\n- ')}` : 'all invariants hold');
}
if (broken.length) {
  if (values.json) console.error(`invariants broken:\n- ${broken.join('\n- ')}`);
  process.exit(1);
}
