import { type Command, type CommandInput, commandSchema, toFieldIssues } from '../lib/core/command';
import { CommandValidationError, type FieldIssue } from '../lib/core/errors';
import type { ACTION_FLAGS } from './action-flags';
import { inFlagWords } from './flag-issues';
import type { FlagValues } from './flags';
import { scopeFromFlags } from './scope-flags';

export type ActionValues = FlagValues<typeof ACTION_FLAGS>;

/** The Command the flags describe, refused (exit 2) with every bad flag named in flag words. */
export function commandOf(
  action: 'pause' | 'resume',
  dryRun: boolean,
  values: ActionValues,
  env: Record<string, string | undefined>,
): Command {
  const flagIssues: FieldIssue[] = [];
  const input = commandFromFlags(action, dryRun, values, env, flagIssues);
  const parsed = commandSchema.safeParse(input);
  // A flag already refused in its own words is not refused again by the schema (an unknown provider leaves an empty list).
  const said = new Set(flagIssues.map((i) => flagOf(i.path)));
  const schemaIssues = parsed.success
    ? []
    : inFlagWords(toFieldIssues(parsed.error), input).filter(
        (i) => !said.has(flagOf(i.path)) && !(said.size && i.path === 'scope'),
      );
  const issues = [...flagIssues, ...schemaIssues];
  if (issues.length > 0 || !parsed.success) throw new CommandValidationError(issues);
  const command = parsed.data;
  // A hold that has already stopped counting would be resumed by the next sweep, minutes after this pause.
  if (command.until !== undefined && Date.parse(command.until) <= Date.now()) {
    throw new CommandValidationError([
      { path: '--until', message: `${values.until} is in the past: the hold would end before it began (give a later time)` },
    ]);
  }
  return command;
}

/** `--task "x"` → `--task`. */
function flagOf(path: string): string {
  return path.split(' ')[0] ?? path;
}

const PAUSE_MODES = ['target', 'all'] as const;
const isPauseMode = (mode: string): mode is (typeof PAUSE_MODES)[number] => (PAUSE_MODES as readonly string[]).includes(mode);

function commandFromFlags(
  action: 'pause' | 'resume',
  dryRun: boolean,
  v: ActionValues,
  env: Record<string, string | undefined>,
  issues: FieldIssue[],
): CommandInput {
  const pauseMode = v['pause-mode'];
  if (pauseMode !== undefined && !isPauseMode(pauseMode)) {
    issues.push({ path: '--pause-mode', message: `"${pauseMode}" is not a pause mode (${PAUSE_MODES.join(' or ')})` });
  }
  return {
    action,
    dryRun,
    reason: v.reason ?? '',
    requestedBy: v['requested-by'] ?? env.USER ?? 'cli',
    ...(v.source ? { source: v.source } : {}),
    ...(v.until ? { until: v.until } : {}),
    ...(v['command-id'] ? { commandId: v['command-id'] } : {}),
    scope: scopeFromFlags(v, issues),
    options: {
      ...(pauseMode !== undefined && isPauseMode(pauseMode) ? { 'huawei-drs': { pauseMode } } : {}),
      ...(v['migrate-failed-objects'] ? { 'huawei-oms': { migrateFailedObject: true } } : {}),
      force: v.force ?? false,
      ...(v['allow-irreversible'] ? { allowIrreversible: true } : {}),
    },
  };
}
