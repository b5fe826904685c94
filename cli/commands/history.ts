import { CommandValidationError } from '../../lib/core/errors';
import type { HistoryFilter } from '../../lib/core/ledger';
import { OUTCOMES, type OutcomeKind } from '../../lib/core/types';
import { defineCommand } from '../command';
import { UsageError } from '../errors';
import { EXIT } from '../exit-codes';
import { type FlagTable, MODE_FLAGS, MODE_HELP } from '../flags';
import { formatHistory, formatTaskHolds } from '../format';
import { openLedger } from '../ledger-access';
import { didYouMean } from '../suggest';
import { isTaskKey, parseTaskKey } from '../task-key';

const isOutcome = (value: string): value is OutcomeKind => (OUTCOMES as readonly string[]).includes(value);

const USAGE =
  'usage: migration-pauser history --task PROVIDER/ACCOUNT/TASK_ID | --command ID [--since TIME] [--outcome KIND] [options]';

const FLAGS = {
  ...MODE_FLAGS,
  task: { type: 'string' },
  command: { type: 'string' },
  since: { type: 'string' },
  outcome: { type: 'string', multiple: true },
} as const satisfies FlagTable;

export default defineCommand({
  name: 'history',
  usage: USAGE,
  flags: FLAGS,
  help: `The audit trail: every recorded outcome of one task, or of one command, oldest first. With --stage it reads the
stage's ledger table.

options:
  --task KEY            provider/account/taskId, e.g. huawei-drs/hw-drs-sg/1a2b3c
  --command ID          the command id (printed by pause, resume and plan)
  --since TIME          only outcomes at or after this ISO time
  --outcome KIND        only these outcomes (repeat for several): ${OUTCOMES.join(', ')}
${MODE_HELP}

example:
  migration-pauser history --task huawei-drs/hw-drs-sg/1a2b3c --since 2026-11-28T09:00:00+09:00
  migration-pauser history --command 6f1c0f4e-2b7a-4c55-9a51-0c8f3f0d2e11 --outcome failed --stage prod

exit codes: 0 shown, 2 bad input, 3 remote: no credentials, access denied or no such stage`,
  async run({ values, io }) {
    const targetKey = values.task;
    if (!targetKey && !values.command) {
      throw new UsageError('history needs --task provider/account/taskId or --command ID (and optionally --since TIME)', {
        name: 'history',
        usage: USAGE,
      });
    }
    const parsed = targetKey === undefined ? undefined : parseTaskKey('--task', targetKey);
    if (parsed !== undefined && !isTaskKey(parsed)) throw new CommandValidationError([parsed]);
    if (values.since && Number.isNaN(Date.parse(values.since))) {
      throw new UsageError(`--since ${values.since} is not a time (use ISO 8601, e.g. 2026-11-28T09:00:00+09:00)`, {
        name: 'history',
        usage: USAGE,
      });
    }
    const outcomes = values.outcome ?? [];
    const unknown = outcomes.filter((o) => !isOutcome(o));
    if (unknown.length > 0) {
      throw new CommandValidationError(
        unknown.map((o) => ({
          path: '--outcome',
          message: `unknown outcome "${o}"${didYouMean(o, OUTCOMES) || ` (outcomes: ${OUTCOMES.join(', ')})`}`,
        })),
      );
    }
    const filter: HistoryFilter = {
      ...(values.command ? { commandId: values.command } : {}),
      ...(targetKey ? { targetKey } : {}),
      ...(values.since ? { since: values.since } : {}),
    };
    const { ledger, read } = await openLedger(values, io);
    const { entries, holds } = await read(async () => ({
      entries: (await ledger.history(filter)).filter((e) => outcomes.length === 0 || outcomes.includes(e.outcome.outcome)),
      holds: targetKey ? await ledger.holdsOf([targetKey]) : [],
    }));
    if (values.json) io.out(JSON.stringify(targetKey ? { entries, holds } : entries, null, 2));
    else {
      io.out(entries.length ? formatHistory(entries) : 'no recorded outcomes match');
      if (targetKey) io.out(formatTaskHolds(holds));
    }
    return EXIT.ok;
  },
});
