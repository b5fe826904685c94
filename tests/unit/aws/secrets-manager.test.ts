import { GetSecretValueCommand, ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { createSecretSource, createSecretsManagerSource } from '../../../lib/aws/secrets-manager';
import { SecretError } from '../../../lib/core/errors';
import { createLocalSecretSource } from '../../../lib/local/secrets';

const sm = mockClient(SecretsManagerClient);
const client = new SecretsManagerClient({
  region: 'ap-northeast-2',
  credentials: { accessKeyId: 'FAKE', secretAccessKey: 'FAKE' },
});
const SECRET = { accessKey: 'FAKE-NCP-AK', secretKey: 'FAKE-NCP-SK-never-print' };

beforeEach(() => {
  sm.reset();
});

describe('Secrets Manager secret source', () => {
  it('fetches aws:NAME by name and an ARN as is', async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(SECRET) });
    const source = createSecretsManagerSource({ client });

    expect(await source.get('aws:migration-pauser/ncp-main')).toEqual(SECRET);
    await source.get('arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:migration-pauser/drs-AbCdEf');

    expect(sm.commandCalls(GetSecretValueCommand).map((c) => c.args[0].input.SecretId)).toEqual([
      'migration-pauser/ncp-main',
      'arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:migration-pauser/drs-AbCdEf',
    ]);
  });

  it('reuses a fetched secret until the TTL passes, and makes one call for concurrent readers', async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(SECRET) });
    let now = 0;
    const source = createSecretsManagerSource({ client, ttlMs: 1_000, now: () => now });

    await Promise.all([source.get('aws:a'), source.get('aws:a'), source.get('aws:a')]);
    now = 999;
    await source.get('aws:a');
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(1);

    now = 1_000;
    await source.get('aws:a');
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it('fetches again after invalidate: the refresh after a provider refused the old keys', async () => {
    sm.on(GetSecretValueCommand)
      .resolvesOnce({ SecretString: JSON.stringify(SECRET) })
      .resolves({ SecretString: JSON.stringify({ ...SECRET, secretKey: 'FAKE-ROTATED' }) });
    const source = createSecretsManagerSource({ client });
    await source.get('aws:a');

    source.invalidate('aws:a');

    expect((await source.get('aws:a')).secretKey).toBe('FAKE-ROTATED');
  });

  it('says how to create a secret that does not exist', async () => {
    sm.on(GetSecretValueCommand).rejects(new ResourceNotFoundException({ message: 'not found', $metadata: {} }));
    const source = createSecretsManagerSource({ client });

    const error = await source.get('aws:migration-pauser/missing').catch((e: unknown) => e);

    expect(error).toBeInstanceOf(SecretError);
    expect((error as SecretError).secretRef).toBe('aws:migration-pauser/missing');
    expect((error as Error).message).toBe(
      "secret aws:migration-pauser/missing does not exist — create it with aws secretsmanager create-secret --name migration-pauser/missing --secret-string '{...}'",
    );
  });

  it('names the reference when access is denied', async () => {
    sm.on(GetSecretValueCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    const source = createSecretsManagerSource({ client });

    await expect(source.get('aws:other-team/db')).rejects.toThrow(/secret aws:other-team\/db: access denied/);
  });

  it('refuses a binary secret and a secret that is not a JSON object, without quoting it', async () => {
    sm.on(GetSecretValueCommand)
      .resolvesOnce({ SecretBinary: new Uint8Array([1, 2, 3]) })
      .resolvesOnce({ SecretString: 'FAKE-PLAIN-PASSWORD' })
      .resolvesOnce({ SecretString: '["FAKE-IN-ARRAY"]' });
    const source = createSecretsManagerSource({ client });

    await expect(source.get('aws:bin')).rejects.toThrow(/secret aws:bin has no SecretString/);
    await expect(source.get('aws:plain')).rejects.toThrow(/^secret aws:plain is not valid JSON$/);
    await expect(source.get('aws:array')).rejects.toThrow(/^secret aws:array is not a JSON object$/);
  });

  it('does not cache a failure', async () => {
    sm.on(GetSecretValueCommand)
      .rejectsOnce(new ResourceNotFoundException({ message: 'not found', $metadata: {} }))
      .resolves({ SecretString: JSON.stringify(SECRET) });
    const source = createSecretsManagerSource({ client });
    await expect(source.get('aws:late')).rejects.toThrow(SecretError);

    expect(await source.get('aws:late')).toEqual(SECRET);
  });

  it('never puts a secret value into an error, whatever the value', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ minLength: 8 }).filter((s) => s.trim().length >= 8),
        async (value) => {
          sm.reset();
          sm.on(GetSecretValueCommand).resolves({ SecretString: value });
          const source = createSecretsManagerSource({ client });
          const error = await source.get('aws:x').then(
            () => undefined,
            (e: unknown) => e,
          );
          if (error !== undefined) {
            expect(error).toBeInstanceOf(SecretError);
            expect((error as Error).message).not.toContain(value);
            expect(String((error as Error).cause ?? '')).not.toContain(value);
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('secret source router', () => {
  it('sends env: to the local source and aws: to Secrets Manager', async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretString: '{"from":"aws"}' });
    const source = createSecretSource({
      local: createLocalSecretSource({ env: { MP_X: '{"from":"env"}' } }),
      aws: createSecretsManagerSource({ client }),
    });

    expect(await source.get('env:MP_X')).toEqual({ from: 'env' });
    expect(await source.get('aws:x')).toEqual({ from: 'aws' });
    await expect(source.get('vault:x')).rejects.toThrow(/no secret source serves/);
  });
});
