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
} as const;
