import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildOmsResumeBody, OMS_RESUME_FIELDS } from '../../../../lib/providers/huawei-oms';

const TASK = '100000000000001';
const REF = 'env:MP_TEST_OMS';
const KEYS = { dst_ak: 'FAKEDSTACCESSKEY01', dst_sk: 'FAKEDSTSECRETKEY01' };

function build(oms: unknown, migrateFailedObject = false) {
  return buildOmsResumeBody({ secret: { ak: 'FAKEAK', sk: 'FAKESK', oms }, secretRef: REF, taskId: TASK, migrateFailedObject });
}

function errorOf(result: ReturnType<typeof build>) {
  if (result.ok) throw new Error('expected a failure');
  return result.error;
}

describe('buildOmsResumeBody', () => {
  it('sends the destination keys and migrate_failed_object', () => {
    // Act
    const result = build(KEYS, true);
    // Assess
    expect(result).toEqual({ ok: true, body: { ...KEYS, migrate_failed_object: true } });
  });

  it('adds every optional credential the secret holds', () => {
    // Prepare
    const oms = {
      ...KEYS,
      src_ak: 'FAKESRCACCESSKEY01',
      src_sk: 'FAKESRCSECRETKEY01',
      src_security_token: 'FAKE-SRC-TOKEN',
      dst_security_token: 'FAKE-DST-TOKEN',
      json_auth_file: '{"fake":true}',
      connection_string: 'FAKE-CONNECTION',
      source_cdn_authentication_key: 'FAKE-CDN-KEY',
    };
    // Act
    const result = build(oms);
    // Assess
    expect(result).toEqual({ ok: true, body: { ...oms, migrate_failed_object: false } });
  });

  it('leaves out empty and null optional fields, and ignores keys OMS does not know', () => {
    const result = build({ ...KEYS, src_security_token: '', dst_security_token: null, region: 'x' });
    expect(result).toEqual({ ok: true, body: { ...KEYS, migrate_failed_object: false } });
  });

  it('lets a per-task override replace the account-wide keys', () => {
    // Prepare
    const oms = {
      ...KEYS,
      src_ak: 'FAKESRC1',
      src_sk: 'FAKESRC1SK',
      tasks: { [TASK]: { src_ak: 'FAKESRC2', src_sk: 'FAKESRC2SK' } },
    };
    // Act
    const result = build(oms);
    // Assess
    expect(result).toEqual({
      ok: true,
      body: { ...KEYS, src_ak: 'FAKESRC2', src_sk: 'FAKESRC2SK', migrate_failed_object: false },
    });
  });

  it('uses the overrides of its own task only', () => {
    const result = build({ ...KEYS, tasks: { '999': { dst_ak: 'FAKEOTHERTASKKEY' } } });
    expect(result.ok && result.body.dst_ak).toBe(KEYS.dst_ak);
  });

  it('fails as a bad request naming the secret, field and task when dst_sk is missing', () => {
    // Act
    const error = errorOf(build({ dst_ak: KEYS.dst_ak }));
    // Assess
    expect(error.message).toBe(`secret ${REF} has no oms.dst_sk for task ${TASK}`);
    expect(error).toMatchObject({ errorClass: 'bad-request', provider: 'huawei-oms', taskId: TASK });
    expect(error.message).not.toContain(KEYS.dst_ak);
  });

  it('fails when the secret has no oms section at all', () => {
    expect(errorOf(build(undefined)).message).toBe(`secret ${REF} has no oms.dst_ak for task ${TASK}`);
  });

  it('fails when only half of the source key pair is present', () => {
    expect(errorOf(build({ ...KEYS, src_ak: 'FAKESRC1' })).message).toBe(
      `secret ${REF} has oms.src_ak but no oms.src_sk for task ${TASK}`,
    );
  });

  it.each(Object.entries(OMS_RESUME_FIELDS))('refuses %s longer than %i characters without quoting it', (field, max) => {
    // Prepare
    const tooLong = 'F'.repeat(max + 1);
    // Act
    const error = errorOf(build({ ...KEYS, src_ak: 'FAKESRC1', src_sk: 'FAKESRC1SK', [field]: tooLong }));
    // Assess
    expect(error.message).toBe(`secret ${REF}: oms.${field} is longer than ${max} characters (task ${TASK})`);
  });

  it('refuses a key that is not a string', () => {
    expect(errorOf(build({ ...KEYS, dst_ak: 12345 })).message).toBe(`secret ${REF}: oms.dst_ak must be a string (task ${TASK})`);
  });

  it('refuses an oms section or a task override that is not an object', () => {
    expect(errorOf(build('FAKE')).message).toBe(`secret ${REF}: oms must be an object (task ${TASK})`);
    expect(errorOf(build({ ...KEYS, tasks: { [TASK]: 'FAKE' } })).message).toBe(
      `secret ${REF}: oms.tasks.${TASK} must be an object`,
    );
  });

  it('never puts a secret value into an error message, whatever the secret holds', () => {
    const secretValue = fc.oneof(
      fc.string({ maxLength: 120 }).map((s) => `SECRETVALUE-${s}`),
      fc.string({ minLength: 90, maxLength: 300 }).map((s) => `SECRETVALUE-${s}`),
    );
    const field = fc.constantFrom(...Object.keys(OMS_RESUME_FIELDS));
    const oms = fc.dictionary(field, fc.oneof(secretValue, fc.integer(), fc.constant(null)), { maxKeys: 9 });
    fc.assert(
      fc.property(oms, fc.option(oms, { nil: undefined }), (accountWide, perTask) => {
        const result = build({ ...accountWide, ...(perTask ? { tasks: { [TASK]: perTask } } : {}) });
        if (!result.ok) expect(result.error.message).not.toContain('SECRETVALUE');
      }),
    );
  });
});
