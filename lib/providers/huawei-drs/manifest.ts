import * as z from 'zod/mini';
import { HUAWEI_MANIFEST } from '../huawei/manifest';

/** What the rest of the system knows about Huawei DRS without loading its adapter. */
export const drsManifest = {
  ...HUAWEI_MANIFEST,
  key: 'huawei-drs',
  displayName: 'Huawei DRS',
  /** The short name on a progress bar. */
  shortName: 'drs',
  /** A command's options for this provider, under `options["huawei-drs"]`. */
  options: z.strictObject({
    pauseMode: z._default(z.enum(['target', 'all']), 'target'),
  }),
  optionDescriptions: {
    pauseMode: 'target (default) stops replay only; all stops log capture and replay too',
  },
} as const;
