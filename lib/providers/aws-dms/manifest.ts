import * as z from 'zod/mini';

/** An IAM role ARN in any partition (aws, aws-cn, aws-us-gov): `arn:aws:iam::123456789012:role/path/name`. */
const roleArn = z.string().check(z.regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/));

/** What the rest of the system knows about AWS DMS without loading its adapter (or the AWS SDK). */
export const dmsManifest = {
  key: 'aws-dms',
  displayName: 'AWS DMS',
  /** The short name on a progress bar. */
  shortName: 'dms',
  /** Account fields the accounts file must give for this provider, beyond the common ones. */
  requiredAccountFields: [],
  /**
   * Account fields of this provider alone (another provider's account that gives one is refused). The role is
   * assumed with STS; without one (the CLI on an operator's machine), the default credential chain calls DMS directly.
   */
  accountFields: {
    roleArn: z.optional(roleArn),
    /** STS ExternalId: what the role's trust policy demands of us, if anything (AWS: 2–1224 characters). */
    externalId: z.optional(z.string().check(z.regex(/^[\w+=,.@:/-]{2,1224}$/))),
    /** Overrides the STS endpoint (the simulator, or a VPC endpoint); `endpoint` overrides DMS's. */
    stsEndpoint: z.optional(z.url()),
  },
  /**
   * An account may name no secret: the base identity is then the default AWS credential chain (the function's role
   * on Lambda). A secret, when named, holds base keys: `{ accessKeyId, secretAccessKey, sessionToken? }`.
   */
  secretOptional: true,
  /** Request headers that carry a credential: redacted wherever a request is quoted. */
  credentialHeaders: ['authorization', 'x-amz-security-token'],
  /** Fields of the account's secret that hold a credential: redacted wherever they are quoted. */
  secretFields: ['accessKeyId', 'secretAccessKey', 'sessionToken'],
} as const;
