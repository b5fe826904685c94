import { ACTION_FLAGS } from '../action-flags';
import { defineCommand } from '../command';
import { UsageError } from '../errors';
import { EXIT_CODES_HELP, MODE_HELP, SCOPE_HELP } from '../flags';
import { runAction } from '../run-action';

const USAGE = 'usage: migration-pauser plan pause|resume [scope] --reason TEXT [options]';

export default defineCommand({
  name: 'plan',
  usage: USAGE,
  flags: ACTION_FLAGS,
  positionals: 1,
  help: `Shows what pause or resume would do to each task in scope, and what kind of pause each provider gets; it calls
only the providers' list and describe APIs and changes nothing. Takes the options of pause and resume. With
--stage the stage's incident function plans it (a dry run) and only the counts come back.

${SCOPE_HELP}

options:
${MODE_HELP}

example:
  migration-pauser plan pause --all --reason "check before the window"
  migration-pauser plan resume --all --source INC-123 --reason "INC-123 over?" --stage prod

${EXIT_CODES_HELP}`,
  run: ({ values, positionals, io }) => {
    const [action] = positionals;
    if (action !== 'pause' && action !== 'resume') {
      throw new UsageError('plan needs an action: pause or resume', { name: 'plan', usage: USAGE });
    }
    return runAction(action, true, values, io);
  },
});
