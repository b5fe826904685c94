import * as z from 'zod';
import { PROVIDER_KEYS, type ProviderKey } from '../providers/types';
import type { Command } from './command';
import { accountNameSchema, commandSchema, taskIdSchema } from './command';
import type { Chunk } from './dispatch';
import type { HandoffPhase } from './execute';

const PHASES = ['running', 'pausing', 'paused', 'waiting', 'finished', 'failed', 'other'] as const;

/**
 * A work message is input too (anyone who can write to the queue can forge one), and its task ids go straight
 * into provider request paths: they are held to the same rule as a command's.
 */
const targetSchema = z.strictObject({
  provider: z.enum(PROVIDER_KEYS),
  account: accountNameSchema,
  taskId: taskIdSchema,
  name: z.string().max(1024),
  stateBefore: z.string().max(128),
  phaseBefore: z.enum(PHASES),
});

const taskSchema = z.strictObject({
  provider: z.enum(PROVIDER_KEYS),
  account: accountNameSchema,
  taskId: taskIdSchema,
  name: z.string().max(1024),
  state: z.string().max(128),
  phase: z.enum(PHASES),
  resumeUnsupportedReason: z.string().max(500).optional(),
  details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
});

/** One chunk on a provider's work queue: what a worker needs to execute it, and nothing secret. */
export const workMessageSchema = z.strictObject({
  version: z.literal(1),
  command: commandSchema,
  account: accountNameSchema,
  items: z
    .array(z.strictObject({ target: targetSchema, task: taskSchema }))
    .min(1)
    .max(1000),
  /** `confirm`: the provider already accepted these (a hand-off at a deadline); only read them back. */
  phase: z.enum(['act', 'confirm']).default('act'),
  /** How many times this work was handed back at a deadline; a run stops handing it on at MAX_HANDOFFS. */
  handoff: z.int().min(0).max(100).default(0),
});
export type WorkMessage = z.output<typeof workMessageSchema>;

/** The work-queue port: one queue per provider on AWS (its own concurrency cap), in memory in tests. */
export interface WorkQueue {
  send(provider: ProviderKey, messages: readonly WorkMessage[]): Promise<void>;
}

export function toWorkMessage(command: Command, chunk: Chunk, phase: HandoffPhase = 'act', handoff = 0): WorkMessage {
  return { version: 1, command, account: chunk.account.config.name, items: chunk.items, phase, handoff };
}
