import { ProviderError } from '../../core/errors';

/**
 * The credential fields OMS's start call accepts, with the length limits of its API page. They are the
 * *task's* source and destination keys, kept in the account secret's `oms` section (per-task overrides
 * under `oms.tasks[<task id>]`), not the keys that sign the request.
 */
export const OMS_RESUME_FIELDS = {
  dst_ak: 100,
  dst_sk: 100,
  src_ak: 100,
  src_sk: 100,
  src_security_token: 16_384,
  dst_security_token: 16_384,
  json_auth_file: 65_535,
  // No limit is published for connection_string; this is the largest any other field allows.
  connection_string: 65_535,
  source_cdn_authentication_key: 255,
} as const;

export type OmsResumeField = keyof typeof OMS_RESUME_FIELDS;

export type OmsResumeBody = { [F in OmsResumeField]?: string } & {
  dst_ak: string;
  dst_sk: string;
  migrate_failed_object: boolean;
};

export type OmsResumeBodyResult = { ok: true; body: OmsResumeBody } | { ok: false; error: ProviderError };

export interface OmsResumeBodyInput {
  /** The account's whole secret; only its `oms` section is read. */
  secret: Record<string, unknown>;
  /** The secret's reference (e.g. `env:NAME`), named in errors instead of any value. */
  secretRef: string;
  taskId: string;
  migrateFailedObject: boolean;
}

/**
 * Builds the body of `POST tasks/{id}/start`, or says why it cannot. Pure: no I/O, and no secret value ever
 * reaches an error message (messages name the secret reference, the field and the task only).
 */
export function buildOmsResumeBody(input: OmsResumeBodyInput): OmsResumeBodyResult {
  const { secretRef, taskId } = input;
  const fail = (message: string): OmsResumeBodyResult => ({
    ok: false,
    error: new ProviderError(message, { errorClass: 'bad-request', provider: 'huawei-oms', taskId }),
  });

  const oms = input.secret.oms ?? {};
  if (!isRecord(oms)) return fail(`secret ${secretRef}: oms must be an object (task ${taskId})`);
  const tasks = oms.tasks ?? {};
  if (!isRecord(tasks)) return fail(`secret ${secretRef}: oms.tasks must be an object (task ${taskId})`);
  const override = Object.hasOwn(tasks, taskId) ? tasks[taskId] : {};
  if (!isRecord(override)) return fail(`secret ${secretRef}: oms.tasks.${taskId} must be an object`);

  const values: { [F in OmsResumeField]?: string } = {};
  for (const [field, maxLength] of Object.entries(OMS_RESUME_FIELDS) as [OmsResumeField, number][]) {
    const fromTask = Object.hasOwn(override, field);
    const value = fromTask ? override[field] : oms[field];
    // Empty and null mean "not set": OMS rejects empty keys, and an empty token is the same as none.
    if (value === undefined || value === null || value === '') continue;
    const where = fromTask ? `oms.tasks.${taskId}.${field}` : `oms.${field}`;
    if (typeof value !== 'string') return fail(`secret ${secretRef}: ${where} must be a string (task ${taskId})`);
    if (value.length > maxLength) {
      return fail(`secret ${secretRef}: ${where} is longer than ${maxLength} characters (task ${taskId})`);
    }
    values[field] = value;
  }

  const { dst_ak, dst_sk } = values;
  if (dst_ak === undefined) return fail(`secret ${secretRef} has no oms.dst_ak for task ${taskId}`);
  if (dst_sk === undefined) return fail(`secret ${secretRef} has no oms.dst_sk for task ${taskId}`);
  // Half a key pair would be sent and rejected by the source cloud later, after the task has restarted.
  if ((values.src_ak === undefined) !== (values.src_sk === undefined)) {
    const [has, lacks] = values.src_ak === undefined ? ['src_sk', 'src_ak'] : ['src_ak', 'src_sk'];
    return fail(`secret ${secretRef} has oms.${has} but no oms.${lacks} for task ${taskId}`);
  }

  return { ok: true, body: { ...values, dst_ak, dst_sk, migrate_failed_object: input.migrateFailedObject } };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
