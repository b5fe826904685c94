/**
 * What every Huawei Cloud service's manifest shares: the project id in every path, the gateway's credential
 * headers, and the AK/SK (and temporary token) in the account's secret.
 */
export const HUAWEI_MANIFEST = {
  /** Account fields the accounts file must give for this provider, beyond the common ones: the project in every path. */
  requiredAccountFields: ['projectId'],
  /** Request headers that carry a credential: redacted wherever a request is quoted. */
  credentialHeaders: ['authorization', 'x-security-token'],
  /** Fields of the account's secret that hold a credential: redacted wherever they are quoted. */
  secretFields: ['ak', 'sk', 'securityToken'],
} as const;
