import * as z from 'zod/mini';
import { PROVIDER_KEYS } from '../providers/types';
import { actionOptionsSchema, type Command, parseCommand, requesterSchema, sourceSchema } from './command';
import { ERROR_CLASSES } from './errors';
import { deterministicUuid } from './window';
import './zod-messages';

/** Which failures to move back: all target failures, or those of one command and/or one provider. */
export const redriveRequestSchema = z.strictObject({
  commandId: z.optional(z.uuid()),
  provider: z.optional(z.enum(PROVIDER_KEYS)),
  dryRun: z._default(z.boolean(), false),
  /** Most failure messages to look at in one invocation (default 1000). */
  max: z._default(z.int().check(z.gte(1), z.lte(10_000)), 1000),
  /** Who redrives: named in each command's `redrive.by` (the CLI's user, the function's caller). */
  requestedBy: z.optional(requesterSchema),
});
export type RedriveRequest = z.output<typeof redriveRequestSchema>;

/** The part of a `target-failed` message redrive needs, parsed at the edge (the queue may hold anything). */
const targetFailedSchema = z
  .object({
    kind: z.literal('target-failed'),
    // Bounded as a redriven command's `redrive.of` is: a longer id could not be redriven, so the message stays.
    commandId: z.string().check(z.minLength(1), z.maxLength(128)),
    action: z.enum(['pause', 'resume']),
    reason: z.string(),
    commandReason: z.optional(z.string()),
    options: z.optional(actionOptionsSchema),
    /** Absent in messages written before failures carried it: the command's default source, as then. */
    source: z.optional(sourceSchema),
    until: z.optional(z.iso.datetime({ offset: true })),
    requestedBy: z.optional(requesterSchema),
    target: z.object({
      provider: z.enum(PROVIDER_KEYS),
      account: z.string().check(z.minLength(1)),
      taskId: z.string().check(z.minLength(1)),
    }),
    errorClass: z.enum(ERROR_CLASSES),
  })
  // A command refuses `until` on a resume; such a message is kept rather than made into a command that cannot parse.
  .check(z.refine((f) => f.until === undefined || f.action === 'pause'));
type TargetFailed = z.output<typeof targetFailedSchema>;

/** A message received from the failures queue: its body and the handle to delete or release it. */
export interface ReceivedFailure {
  id: string;
  body: string;
}

export interface RedriveCommand {
  command: Command;
  /** The failure messages this command replaces (deleted once it is published). */
  sourceIds: string[];
}

export interface RedrivePlan {
  commands: RedriveCommand[];
  /** Messages that stay on the failures queue: other kinds, other commands or providers, unreadable. */
  keptIds: string[];
}

/** What a redrive reports, from the queue or from the local failures file alike. */
export interface RedriveReport {
  dryRun: boolean;
  received: number;
  moved: number;
  kept: number;
  commands: { commandId: string; action: Command['action']; accounts: string[]; taskIds: number; reason: string }[];
}

/** The report of a plan over `received` messages: the ids it moves, and a line per command. */
export function reportRedrive(plan: RedrivePlan, received: number, dryRun: boolean): RedriveReport & { moving: Set<string> } {
  const moving = new Set(plan.commands.flatMap((c) => c.sourceIds));
  return {
    dryRun,
    received,
    moved: moving.size,
    kept: received - moving.size,
    moving,
    commands: plan.commands.map(({ command }) => ({
      commandId: command.commandId,
      action: command.action,
      accounts: command.scope.accounts ?? [],
      taskIds: command.scope.taskIds?.length ?? 0,
      reason: command.reason,
    })),
  };
}

/** Task ids per redriven command: keeps one command message far below SQS's 256 KiB; a bigger group is split. */
export const MAX_REDRIVE_TASK_IDS = 1000;
const MAX_REASON = 500;

/** Who a redrive names in `redrive.by` when the request does not say. */
export const DEFAULT_REDRIVER = 'redrive';

/**
 * Groups the matching `target-failed` messages into new commands: one per (original command, account, source,
 * until), the same action, scoped to exactly the failed task ids. Each repeats what the original command had —
 * source, until, options, reason (prefixed) and requestedBy — and names the original and the redriver in `redrive`:
 * a redriven pause holds under the original source, so that source's resume releases it, and a redriven resume
 * releases that source's holds. Pure; ids are derived from the sources, so planning the same messages twice yields
 * the same commands.
 */
export function planRedrive(
  messages: readonly ReceivedFailure[],
  filter: Pick<RedriveRequest, 'commandId' | 'provider' | 'requestedBy'>,
): RedrivePlan {
  const by = filter.requestedBy ?? DEFAULT_REDRIVER;
  const groups = new Map<string, { first: TargetFailed; taskIds: Set<string>; sourceIds: string[] }>();
  const keptIds: string[] = [];
  for (const message of messages) {
    const failure = parseTargetFailed(message.body);
    if (!failure || !matches(failure, filter)) {
      keptIds.push(message.id);
      continue;
    }
    // Source and until in the key: failures that disagree on them are never merged into one command's holds.
    const key = JSON.stringify([failure.commandId, failure.action, failure.target.account, failure.source, failure.until]);
    const group = groups.get(key) ?? { first: failure, taskIds: new Set<string>(), sourceIds: [] };
    group.taskIds.add(failure.target.taskId);
    group.sourceIds.push(message.id);
    groups.set(key, group);
  }

  const commands: RedriveCommand[] = [];
  for (const { first, taskIds, sourceIds } of groups.values()) {
    const ids = [...taskIds].sort();
    for (let i = 0; i < ids.length; i += MAX_REDRIVE_TASK_IDS) {
      const slice = ids.slice(i, i + MAX_REDRIVE_TASK_IDS);
      // Sources are split with their task ids so each deleted message is covered by a published command.
      const sources = ids.length <= MAX_REDRIVE_TASK_IDS ? sourceIds : sourcesFor(slice, sourceIds, messages);
      // Old messages (no source, no until) keep the ids they always had; the others are told apart by both.
      const holder = first.source === undefined && first.until === undefined ? '' : `|${first.source ?? ''}|${first.until ?? ''}`;
      commands.push({
        command: parseCommand({
          action: first.action,
          scope: { accounts: [first.target.account], taskIds: slice },
          reason: truncate(`redrive of ${first.commandId}: ${first.commandReason ?? first.reason}`, MAX_REASON),
          options: first.options,
          ...(first.source !== undefined ? { source: first.source } : {}),
          ...(first.until !== undefined ? { until: first.until } : {}),
          requestedBy: first.requestedBy ?? by,
          redrive: { of: first.commandId, by },
          commandId: deterministicUuid(`redrive|${first.commandId}|${first.target.account}${holder}|${slice.join('\n')}`),
        }),
        sourceIds: sources,
      });
    }
  }
  return { commands, keptIds };
}

function matches(failure: TargetFailed, filter: Pick<RedriveRequest, 'commandId' | 'provider'>): boolean {
  return (
    (filter.commandId === undefined || failure.commandId === filter.commandId) &&
    (filter.provider === undefined || failure.target.provider === filter.provider)
  );
}

function parseTargetFailed(body: string): TargetFailed | undefined {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return undefined;
  }
  const parsed = targetFailedSchema.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}

function sourcesFor(taskIds: readonly string[], sourceIds: readonly string[], messages: readonly ReceivedFailure[]): string[] {
  const wanted = new Set(taskIds);
  const inGroup = new Set(sourceIds);
  return messages
    .filter((m) => inGroup.has(m.id))
    .filter((m) => {
      const taskId = parseTargetFailed(m.body)?.target.taskId;
      return taskId !== undefined && wanted.has(taskId);
    })
    .map((m) => m.id);
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
