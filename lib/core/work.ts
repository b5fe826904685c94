import * as z from 'zod/mini';
import { PROVIDER_KEYS, type ProviderKey } from '../providers/types';
import type { Command } from './command';
import { accountNameSchema, commandSchema, taskIdSchema } from './command';
import type { Chunk } from './dispatch';
import type { HandoffPhase } from './execute';
import './zod-messages';

const PHASES = ['running', 'pausing', 'paused', 'waiting', 'finished', 'failed', 'other'] as const;

/**
 * A work message is input too (anyone who can write to the queue can forge one), and its task ids go straight
 * into provider request paths: they are held to the same rule as a command's.
 */
const targetSchema = z.strictObject({
  provider: z.enum(PROVIDER_KEYS),
  account: accountNameSchema,
  taskId: taskIdSchema,
  name: z.string().check(z.maxLength(1024)),
  stateBefore: z.string().check(z.maxLength(128)),
  phaseBefore: z.enum(PHASES),
  resumeUnsupportedReason: z.optional(z.string().check(z.maxLength(500))),
});

const taskSchema = z.strictObject({
  provider: z.enum(PROVIDER_KEYS),
  account: accountNameSchema,
  taskId: taskIdSchema,
  name: z.string().check(z.maxLength(1024)),
  state: z.string().check(z.maxLength(128)),
  phase: z.enum(PHASES),
  resumeUnsupportedReason: z.optional(z.string().check(z.maxLength(500))),
  details: z.optional(z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]))),
});

/** `unanswered`, `refused`: what the request of a target handed on in the `confirm` phase came to (see ChunkItem). */
const itemSchema = z.strictObject({
  target: targetSchema,
  task: taskSchema,
  unanswered: z.optional(z.literal(true)),
  refused: z.optional(z.literal(true)),
});

/** One chunk on a provider's work queue: what a worker needs to execute it, and nothing secret. */
export const workMessageSchema = z.strictObject({
  version: z.literal(1),
  command: commandSchema,
  account: accountNameSchema,
  items: z.array(itemSchema).check(z.minLength(1), z.maxLength(1000)),
  /**
   * `confirm`: the provider already accepted these (a hand-off at a deadline); only read them back. `hold`: a pause
   * adding its hold to tasks already paused under one of ours; read them again, pause any that run.
   */
  phase: z._default(z.enum(['act', 'hold', 'confirm']), 'act'),
  /** How many times this work was handed back at a deadline; a run stops handing it on at MAX_HANDOFFS. */
  handoff: z._default(z.int().check(z.gte(0), z.lte(100)), 0),
});
export type WorkMessage = z.output<typeof workMessageSchema>;

/** The work-queue port: one queue per provider on AWS (its own concurrency cap), in memory in tests. */
export interface WorkQueue {
  send(provider: ProviderKey, messages: readonly WorkMessage[]): Promise<void>;
}

export function toWorkMessage(command: Command, chunk: Chunk, phase: HandoffPhase = 'act', handoff = 0): WorkMessage {
  return { version: 1, command, account: chunk.account.config.name, items: chunk.items, phase, handoff };
}
