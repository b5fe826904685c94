import { type FlagTable, MODE_FLAGS, SCOPE_FLAGS } from './flags';

/** What pause takes beyond scope and mode. */
export const PAUSE_FLAGS = {
  ...SCOPE_FLAGS,
  ...MODE_FLAGS,
  reason: { type: 'string' },
  source: { type: 'string' },
  until: { type: 'string' },
  'pause-mode': { type: 'string' },
  'allow-irreversible': { type: 'boolean' },
  'command-id': { type: 'string' },
  'requested-by': { type: 'string' },
  'events-file': { type: 'string' },
} as const satisfies FlagTable;

/** What resume takes beyond scope and mode. */
export const RESUME_FLAGS = {
  ...SCOPE_FLAGS,
  ...MODE_FLAGS,
  reason: { type: 'string' },
  source: { type: 'string' },
  force: { type: 'boolean' },
  'migrate-failed-objects': { type: 'boolean' },
  'command-id': { type: 'string' },
  'requested-by': { type: 'string' },
  'events-file': { type: 'string' },
} as const satisfies FlagTable;

/** plan pause|resume takes what either takes. */
export const ACTION_FLAGS = { ...PAUSE_FLAGS, ...RESUME_FLAGS } as const satisfies FlagTable;

/** Local pause and resume: where the run's events go (a stage publishes to its own bus). */
export const EVENTS_FILE_HELP = `  --events-file FILE    local mode: append the run's events (Command Completed, Target Failed) as JSON lines`;
