import type { CliCommand } from '../command';
import type { CommandName } from './names';

/**
 * Every command, loaded only when it runs (a pause does not load the simulator, `status` no provider SDK).
 * The order is the order of the general help.
 */
export const COMMANDS: Record<string, () => Promise<{ default: CliCommand }>> = {
  // Every name in names.ts, and no other (the compiler checks both ways).
  plan: () => import('./plan'),
  pause: () => import('./pause'),
  resume: () => import('./resume'),
  status: () => import('./status'),
  history: () => import('./history'),
  release: () => import('./release'),
  redrive: () => import('./redrive'),
  windows: () => import('./windows'),
  simulator: () => import('./simulator'),
  demo: () => import('./demo'),
} satisfies Record<CommandName, () => Promise<{ default: CliCommand }>>;
