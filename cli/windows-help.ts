/** `migration-pauser windows --help` (kept apart from cli/windows.ts, which loads the schedule libraries). */
export const WINDOWS_HELP = `usage: migration-pauser windows [--stage S] [--count N] [--tz ZONE] [--config FILE] [--json]

The next fires of every window in the stage's windows file (config/windows.<stage>.yaml, default stage local), each
shown in the window's time zone and in the local one, with the UTC offset in force at that moment (a daylight-saving
change shows as a changed offset). A pause on a blackout date (except) is marked skipped; a day on which the resume
fires before the pause (a change of clocks) is warned about on stderr. Reads the file only: nothing is deployed or
called.

options:
  --stage S             the stage whose windows file to read (default local); a stage without one is an error
  --count N             how many fires per window (default 5)
  --tz ZONE             the local time zone to show (default $TZ, else this machine's)
  --now TIME            list the fires after this ISO time instead of now
  --config FILE         read this windows file instead of config/windows.<stage>.yaml
  --json                print JSON instead of a table

example:
  migration-pauser windows --stage prod --count 3 --tz Europe/Berlin

exit codes: 0 shown, 2 bad input (no windows file for the stage, an invalid one, a bad flag)`;
