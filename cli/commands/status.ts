import { defineCommand } from '../command';
import { EXIT } from '../exit-codes';
import { MODE_FLAGS, MODE_HELP, remoteTargetOf } from '../flags';
import { formatHolds } from '../format';
import { openLedger, settleUnconfirmed } from '../ledger-access';

export default defineCommand({
  name: 'status',
  usage: 'usage: migration-pauser status [--state-dir DIR | --stage S] [--json]',
  flags: MODE_FLAGS,
  help: `What migration-pauser holds paused now, by source and provider, with each hold's expiry. With --stage it reads
the stage's ledger table (migration-pauser-<stage>-ledger).

options:
${MODE_HELP}

example:
  migration-pauser status --json
  migration-pauser status --stage prod

exit codes: 0 shown, 2 bad input, 3 remote: no credentials, access denied or no such stage`,
  async run({ values, io }) {
    const { ledger, read } = await openLedger(values, io);
    // One read: the embedded ledger is closed (its lock released) when it ends.
    const holds = await read(async () => {
      const all = await ledger.pausedByUs();
      return remoteTargetOf(values) ? all : settleUnconfirmed(all, ledger, values, io);
    });
    if (values.json) {
      io.out(JSON.stringify(holds, null, 2));
      return EXIT.ok;
    }
    if (holds.length === 0) {
      io.out('nothing is held paused by migration-pauser');
      return EXIT.ok;
    }
    io.out(formatHolds(holds, new Date()));
    return EXIT.ok;
  },
});
