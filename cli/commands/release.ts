import { randomUUID } from 'node:crypto';
import { CommandValidationError, type FieldIssue } from '../../lib/core/errors';
import { settledOutcome } from '../../lib/core/outcome';
import { defineCommand } from '../command';
import { EXIT } from '../exit-codes';
import { type FlagTable, MODE_FLAGS, MODE_HELP } from '../flags';
import { openLedger } from '../ledger-access';
import { isTaskKey, parseTaskKey } from '../task-key';

const FLAGS = {
  ...MODE_FLAGS,
  task: { type: 'string' },
  source: { type: 'string' },
  reason: { type: 'string' },
  'requested-by': { type: 'string' },
} as const satisfies FlagTable;

/**
 * `release`: one source's hold on one task ends, under the task's lease, without a provider call; the audit gets
 * an outcome of its own command id naming who and why.
 */
export default defineCommand({
  name: 'release',
  usage: 'usage: migration-pauser release --task PROVIDER/ACCOUNT/TASK_ID --source NAME --reason TEXT [options]',
  flags: FLAGS,
  help: `Ends one source's hold on one task without calling the provider: for a task that can never be resumed (a DCS
backup-file import stopped with --allow-irreversible) once someone has dealt with it by hand, or a hold on a task
that no longer exists. Recorded in the audit (history --task) under a command id of its own, with who and why.
With --stage it changes the stage's ledger table.

options:
  --task KEY            provider/account/taskId, e.g. huawei-dcs/dcs-sg/dcs-7
  --source NAME         whose hold ends (status and history --task show them)
  --reason TEXT         required: why
  --requested-by WHO    recorded in the audit (default $USER)
${MODE_HELP}

example:
  migration-pauser release --task huawei-dcs/dcs-sg/dcs-7 --source INC-123 --reason "import restarted by hand"

exit codes: 0 released, 1 no such hold, 2 bad input, 3 ledger busy or remote: no credentials, access denied`,
  async run({ values, io }) {
    const key = values.task;
    const issues: FieldIssue[] = [];
    const parsed = key === undefined ? undefined : parseTaskKey('--task', key);
    if (parsed === undefined) issues.push({ path: '--task', message: 'name one task as provider/account/taskId' });
    else if (!isTaskKey(parsed)) issues.push(parsed);
    if (!values.source) issues.push({ path: '--source', message: 'name the source whose hold ends' });
    if (!values.reason?.trim()) issues.push({ path: '--reason', message: 'a reason is required' });
    if (issues.length || !key || !values.source || !values.reason) throw new CommandValidationError(issues);
    const source = values.source;
    const requestedBy = values['requested-by'] ?? io.env.USER ?? 'cli';
    const reason = `hold of ${source} released by ${requestedBy} without a provider call: ${values.reason.trim()}`;
    const { ledger, read } = await openLedger(values, io);
    const done = await read(async () => {
      const commandId = randomUUID();
      const lease = { holder: `release:${commandId}`, expiresAt: Date.now() + 60_000 };
      const leased = await ledger.acquireLeases([key], lease);
      const hold = leased.get(key)?.find((h) => h.source === source);
      if (!leased.has(key)) return { kind: 'busy' as const };
      if (!hold) {
        await ledger.releaseLeases([key], lease.holder);
        return { kind: 'not-held' as const, held: (leased.get(key) ?? []).map((h) => h.source) };
      }
      await ledger.changeHolds(lease.holder, [{ key, remove: [source] }], { releaseLease: true });
      const at = new Date().toISOString();
      await ledger.recordOutcomes(commandId, [settledOutcome(hold.target, { outcome: 'skipped', reason }, at)]);
      await ledger.flush();
      return { kind: 'released' as const, commandId };
    });
    if (done.kind === 'busy') {
      io.err(`${key} is being changed by another command right now; try again in a minute`);
      return EXIT.config;
    }
    if (done.kind === 'not-held') {
      io.err(`${key} has no hold of ${source}${done.held.length ? ` (held by ${done.held.join(', ')})` : ' (no hold at all)'}`);
      return EXIT.someFailed;
    }
    io.out(`released: ${key} is no longer held by ${source} (command ${done.commandId}; history --task ${key})`);
    return EXIT.ok;
  },
});
