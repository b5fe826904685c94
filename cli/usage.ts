import { PROVIDER_KEYS } from '../lib/providers/keys';
import { EXIT_CODES_HELP, PROVIDER_NAMES } from './flags';

/** `migration-pauser --help`: every command in one line, the two modes, the shared flags. */
export const USAGE = `migration-pauser — pause and resume data-migration tasks: ${PROVIDER_NAMES}

usage:
  migration-pauser plan pause|resume [scope] --reason TEXT   show what would happen, change nothing
  migration-pauser pause  [scope] --reason TEXT              pause tasks in scope and remember them
  migration-pauser resume [scope] --reason TEXT              resume only what this tool paused
  migration-pauser status                                    what we hold paused now, by source and provider
  migration-pauser history --task P/ACCOUNT/ID | --command ID [--since TIME]   the audit trail
  migration-pauser release --task P/ACCOUNT/ID --source S --reason TEXT   end one hold, provider untouched
  migration-pauser redrive [--command ID] [--provider KEY] [--dry-run]   run failed targets again
  migration-pauser windows [--count N] [--stage S]           the next scheduled pause/resume windows
  migration-pauser simulator [--port P] [--scenario FILE]    run the provider simulator in the foreground
  migration-pauser demo                                      the whole flow against the simulator (npm start)
  migration-pauser <command> --help                          usage, options and an example for one command

two modes:
  local (default)       in this process, with --accounts FILE, local secrets (env:/file:) and --state-dir
  remote (--stage S)    through the deployed stage: pause/resume/plan invoke its incident function, redrive works
                        on its failures queue, status/history read its ledger table (--region R, --profile P)

scope (combine freely; repeat a flag for several values):
  --all | --provider KEY | --account NAME | --task ID | --name GLOB
  --exclude-provider KEY | --exclude-account NAME | --exclude-task ID | --exclude-name GLOB
  --task takes a bare task id or provider/account/id, the form status and history print
  providers: ${PROVIDER_KEYS.join(', ')}

options:
  --accounts FILE       accounts file (default $MIGRATION_PAUSER_ACCOUNTS, else ./accounts.json)
  --state-dir DIR       where the embedded ledger and failures file live (default $MIGRATION_PAUSER_STATE_DIR,
                        else .migration-pauser); one run at a time holds it, the others wait
  --wait SECONDS        how long to wait for another run holding --state-dir (default 60, 0: not at all): exit 3
  --stage S, --region R, --profile P    remote mode (see above)
  --requested-by WHO    recorded in the ledger (default $USER)
  --source NAME         who holds what this pauses, and whose holds a resume lifts (default manual),
                        e.g. INC-1234: the 18:00 window resume then leaves those tasks paused
  --until TIME          pause: the hold stops counting at this ISO time (e.g. 2026-11-28T15:00:00+09:00)
  --force               resume even tasks that other sources still hold (recorded in the audit)
  --command-id UUID     make a retry of the same command idempotent
  --pause-mode MODE     DRS: target (default) or all
  --migrate-failed-objects   OMS resume: only the objects that failed
  --yes                 pause --all on a terminal: do not ask for confirmation
  --json                print JSON (every command); pause and resume include each target's outcome
  --version             print the version

example:
  migration-pauser pause --provider huawei-drs --reason "INC-123 source DB overloaded"

${EXIT_CODES_HELP}

progress: runs longer than a second show a progress line on stderr (redrawn in place on a terminal, a plain
line every few seconds otherwise). Colour is used only on a terminal, and never when NO_COLOR is set.`;
