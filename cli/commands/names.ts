/** The commands, in the order of the general help. Kept apart from index.ts (which loads them) so that the usage
 * lines of an error can name them without reaching the commands themselves. */
export const COMMAND_NAMES = [
  'plan',
  'pause',
  'resume',
  'status',
  'history',
  'release',
  'redrive',
  'windows',
  'simulator',
  'demo',
] as const;

export type CommandName = (typeof COMMAND_NAMES)[number];
