import * as z from 'zod/mini';
import { HUAWEI_MANIFEST } from '../huawei/manifest';

/** What the rest of the system knows about Huawei OMS without loading its adapter. */
export const omsManifest = {
  ...HUAWEI_MANIFEST,
  key: 'huawei-oms',
  displayName: 'Huawei OMS',
  /** The short name on a progress bar. */
  shortName: 'oms',
  /** The task keys that a resume sends, from the account's secret, too. */
  secretFields: [
    ...HUAWEI_MANIFEST.secretFields,
    'dst_ak',
    'dst_sk',
    'src_ak',
    'src_sk',
    'src_security_token',
    'dst_security_token',
  ],
  /** A command's options for this provider, under `options["huawei-oms"]`. */
  options: z.strictObject({
    migrateFailedObject: z._default(z.boolean(), false),
  }),
  optionDescriptions: {
    migrateFailedObject: 'resume: true migrates only the objects that failed; false (the default) everything again',
  },
} as const;
