import * as z from 'zod/mini';

/** What the rest of the system knows about Huawei DRS without loading its adapter. */
export const drsManifest = {
  key: 'huawei-drs',
  displayName: 'Huawei DRS',
  /** The short name on a progress bar. */
  shortName: 'drs',
  /** Account fields the accounts file must give for this provider, beyond the common ones: the project in every path. */
  requiredAccountFields: ['projectId'],
  /** Request headers that carry a credential: redacted wherever a request is quoted. */
  credentialHeaders: ['authorization', 'x-security-token'],
  /** Fields of the account's secret that hold a credential: redacted wherever they are quoted. */
  secretFields: ['ak', 'sk', 'securityToken'],
  /** A command's options for this provider, under `options["huawei-drs"]`. */
  options: z.strictObject({
    pauseMode: z._default(z.enum(['target', 'all']), 'target'),
  }),
  optionDescriptions: {
    pauseMode: 'target (default) stops replay only; all stops log capture and replay too',
  },
} as const;
