import { EVENTS_FILE_HELP, RESUME_FLAGS } from '../action-flags';
import { defineCommand } from '../command';
import { EXIT_CODES_HELP, MODE_HELP, SCOPE_HELP } from '../flags';
import { runAction } from '../run-action';

export default defineCommand({
  name: 'resume',
  usage: 'usage: migration-pauser resume [scope] --reason TEXT [options]',
  flags: RESUME_FLAGS,
  help: `Resumes only tasks that migration-pauser paused, lifting the holds of --source; a task still held by another
source stays paused unless --force. With --stage it invokes the stage's incident function.

${SCOPE_HELP}

options:
  --reason TEXT         required: why
  --source NAME         whose holds to lift (default manual), e.g. INC-1234
  --force               resume even tasks that other sources still hold (recorded in the audit)
  --migrate-failed-objects   Huawei OMS: migrate only the objects that failed
  --command-id UUID     run the same command again without a second provider call
  --requested-by WHO    recorded in the ledger (default $USER)
${MODE_HELP}
${EVENTS_FILE_HELP}

example:
  migration-pauser resume --all --source INC-123 --reason "INC-123 over"
  migration-pauser resume --all --source window:weekday-business-hours --reason "18:00 resume missed" --stage prod

${EXIT_CODES_HELP}`,
  run: ({ values, io }) => runAction('resume', false, values, io),
});
