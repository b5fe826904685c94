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
} as const;
