import { HUAWEI_MANIFEST } from '../huawei/manifest';

/** What the rest of the system knows about Huawei DCS without loading its adapter. */
export const dcsManifest = {
  ...HUAWEI_MANIFEST,
  key: 'huawei-dcs',
  displayName: 'Huawei DCS',
  /** The short name on a progress bar. */
  shortName: 'dcs',
} as const;
