import * as z from 'zod/mini';

/** What the rest of the system knows about Huawei OMS without loading its adapter. */
export const omsManifest = {
  key: 'huawei-oms',
  displayName: 'Huawei OMS',
  /** The short name on a progress bar. */
  shortName: 'oms',
  /** Account fields the accounts file must give for this provider, beyond the common ones: the project in every path. */
  requiredAccountFields: ['projectId'],
  /** Request headers that carry a credential: redacted wherever a request is quoted. */
  credentialHeaders: ['authorization', 'x-security-token'],
  /** Fields of the account's secret that hold a credential: redacted wherever they are quoted. */
  secretFields: ['ak', 'sk', 'securityToken', 'dst_ak', 'dst_sk', 'src_ak', 'src_sk', 'src_security_token', 'dst_security_token'],
  /** A command's options for this provider, under `options["huawei-oms"]`. */
  options: z.strictObject({
    migrateFailedObject: z._default(z.boolean(), false),
  }),
  optionDescriptions: {
    migrateFailedObject: 'resume: true migrates only the objects that failed; false (the default) everything again',
  },
} as const;
