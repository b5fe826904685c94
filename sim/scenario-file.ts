import * as z from 'zod';
import { SIM_PROVIDERS } from './provider-keys';
import type { Scenario } from './types';

const bucket = { perSecond: z.number().positive(), burst: z.number().int().min(1) };
const rateLimit = z.strictObject({
  ...bucket,
  drop: z.strictObject({ afterRequests: z.number().int().min(0), ...bucket }).optional(),
});

const scenarioSchema = z.strictObject({
  accounts: z.array(
    z.strictObject({
      name: z.string().min(1),
      provider: z.enum(SIM_PROVIDERS),
      region: z.string().min(1),
      accessKey: z.string().min(1),
      secretKey: z.string().min(1),
      projectId: z.string().min(1).optional(),
      roleArn: z.string().min(1).optional(),
      externalId: z.string().min(1).optional(),
      rateLimit: rateLimit.optional(),
      oms: z
        .strictObject({ dst_ak: z.string(), dst_sk: z.string(), src_ak: z.string().optional(), src_sk: z.string().optional() })
        .optional(),
    }),
  ),
  tasks: z.array(
    z.strictObject({
      provider: z.enum(SIM_PROVIDERS),
      account: z.string().min(1),
      id: z.string().min(1),
      name: z.string(),
      state: z.string().min(1),
      dbUseType: z.enum(['migration', 'sync', 'cloudDataGuard']).optional(),
      migrationType: z.enum(['backupfile_import', 'online_migration']).optional(),
      rejectsBatch: z.boolean().optional(),
      stopReason: z.string().min(1).optional(),
      failsAction: z.strictObject({ code: z.string(), message: z.string() }).optional(),
    }),
  ),
  transitionMs: z.number().int().min(0).optional(),
  latencyMs: z.number().int().min(0).optional(),
  faults: z
    .array(
      z.strictObject({
        provider: z.enum(SIM_PROVIDERS).optional(),
        account: z.string().optional(),
        method: z.string().optional(),
        pathIncludes: z.string().optional(),
        operation: z.string().optional(),
        kind: z.enum(['http', 'timeout', 'reset']),
        status: z.number().int().min(100).max(599).optional(),
        times: z.number().int().min(1).optional(),
        probability: z.number().min(0).max(1).optional(),
      }),
    )
    .optional(),
  seed: z.number().int().optional(),
  echoSecrets: z.union([z.boolean(), z.strictObject({ codes: z.boolean() })]).optional(),
});

/** Parses a scenario file's JSON; throws with the zod issues when it does not fit. */
export function parseScenario(input: unknown): Scenario {
  return scenarioSchema.parse(input);
}
