/** What the rest of the system knows about NCP Object Migration without loading its adapter. */
export const ncpManifest = {
  key: 'ncp-object-migration',
  displayName: 'NCP Object Migration',
  /** The short name on a progress bar. */
  shortName: 'ncp',
  /** Account fields the accounts file must give for this provider, beyond the common ones. */
  requiredAccountFields: [],
  /** Request headers that carry a credential: redacted wherever a request is quoted. */
  credentialHeaders: ['x-ncp-iam-access-key', 'x-ncp-apigw-signature-v2'],
  /** Fields of the account's secret that hold a credential: redacted wherever they are quoted. */
  secretFields: ['accessKey', 'secretKey'],
} as const;
