import type { HistoryFilter } from '../../lib/core/ledger';
import { defineCommand } from '../command';
import { UsageError } from '../errors';
import { EXIT } from '../exit-codes';
import { type FlagTable, MODE_FLAGS, MODE_HELP } from '../flags';
import { formatHistory, formatTaskHolds } from '../format';
import { openLedger } from '../ledger-access';

const USAGE = 'usage: migration-pauser history --task PROVIDER/ACCOUNT/TASK_ID | --command ID [--since TIME] [options]';

const FLAGS = {
  ...MODE_FLAGS,
  task: { type: 'string' },
  command: { type: 'string' },
  since: { type: 'string' },
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
${MODE_HELP}

example:
  migration-pauser history --task huawei-drs/hw-drs-sg/1a2b3c --since 2026-11-28T09:00:00+09:00
  migration-pauser history --command 6f1c0f4e-2b7a-4c55-9a51-0c8f3f0d2e11 --stage prod

exit codes: 0 shown, 2 bad input, 3 remote: no credentials, access denied or no such stage`,
  async run({ values, io }) {
    const targetKey = values.task;
    if (!targetKey && !values.command) {
      throw new UsageError('history needs --task provider/account/taskId or --command ID (and optionally --since TIME)', {
        name: 'history',
        usage: USAGE,
      });
    }
    if (values.since && Number.isNaN(Date.parse(values.since))) {
      throw new UsageError(`--since ${values.since} is not a time (use ISO 8601, e.g. 2026-11-28T09:00:00+09:00)`, {
        name: 'history',
        usage: USAGE,
      });
    }
    const filter: HistoryFilter = {
      ...(values.command ? { commandId: values.command } : {}),
      ...(targetKey ? { targetKey } : {}),
      ...(values.since ? { since: values.since } : {}),
    };
    const { ledger, read } = await openLedger(values, io);
    const { entries, holds } = await read(async () => ({
      entries: await ledger.history(filter),
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
