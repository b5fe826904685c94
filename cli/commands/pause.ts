import { EVENTS_FILE_HELP, PAUSE_FLAGS } from '../action-flags';
import { defineCommand } from '../command';
import { EXIT_CODES_HELP, MODE_HELP, SCOPE_HELP } from '../flags';
import { runAction } from '../run-action';

export default defineCommand({
  name: 'pause',
  usage: 'usage: migration-pauser pause [scope] --reason TEXT [options]',
  flags: PAUSE_FLAGS,
  help: `Pauses every running task in scope and places a hold of --source on it, so that a resume of the same source
(and only that) resumes it. With --all on a terminal it first plans (list calls only) and asks "Pause every
migration task: N running tasks in M accounts? [y/N]" unless --yes; off a terminal (scripts, CI) it does not ask.
With --stage it invokes the stage's incident function (migration-pauser-<stage>-incident), which runs it against
the stage's accounts and ledger.

${SCOPE_HELP}

options:
  --reason TEXT         required: why (recorded in the ledger and every failure)
  --source NAME         who holds what this pauses (default manual), e.g. INC-1234
  --until TIME          the hold stops counting at this ISO time (e.g. 2026-11-28T15:00:00+09:00)
  --pause-mode MODE     Huawei DRS: target (default, stops replay) or all (stops log capture too)
  --allow-irreversible  also stop tasks the provider can never restart (DCS backup-file imports); without it they
                        are reported unsupported and left running
  --command-id UUID     run the same command again without a second provider call
  --requested-by WHO    recorded in the ledger (default $USER)
  --yes                 do not ask for confirmation of --all
${MODE_HELP}
${EVENTS_FILE_HELP}

example:
  migration-pauser pause --provider huawei-drs --source INC-123 --reason "INC-123 source DB overloaded"
  migration-pauser pause --all --source INC-123 --reason "INC-123" --stage prod --yes

${EXIT_CODES_HELP}`,
  run: ({ values, io }) => runAction('pause', false, values, io),
});
