/** What the rest of the system knows about Huawei DCS without loading its adapter. */
export const dcsManifest = {
  key: 'huawei-dcs',
  displayName: 'Huawei DCS',
  /** The short name on a progress bar. */
  shortName: 'dcs',
  /** Account fields the accounts file must give for this provider, beyond the common ones: the project in every path. */
  requiredAccountFields: ['projectId'],
  /** Request headers that carry a credential: redacted wherever a request is quoted. */
  credentialHeaders: ['authorization', 'x-security-token'],
  /** Fields of the account's secret that hold a credential: redacted wherever they are quoted. */
  secretFields: ['ak', 'sk', 'securityToken'],
} as const;
