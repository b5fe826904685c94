import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SecretError } from '../../../lib/core/errors';
import { createLocalSecretSource } from '../../../lib/local/secrets';

const SECRET = { accessKey: 'FAKE-AK', secretKey: 'FAKE-SK-do-not-print' };

describe('local secret source', () => {
  it('reads env:NAME as JSON', async () => {
    const source = createLocalSecretSource({ env: { MP_NCP: JSON.stringify(SECRET) } });
    expect(await source.get('env:MP_NCP')).toEqual(SECRET);
  });

  it('reads file:PATH#key from a JSON file relative to the base directory', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mp-secrets-'));
    await writeFile(join(dir, 'secrets.json'), JSON.stringify({ 'ncp-main': SECRET }));
    const source = createLocalSecretSource({ baseDir: dir });

    expect(await source.get('file:secrets.json#ncp-main')).toEqual(SECRET);
    await expect(source.get('file:secrets.json#other')).rejects.toThrow('has no entry "other"');
  });

  it('says which variable is missing', async () => {
    const source = createLocalSecretSource({ env: {} });
    await expect(source.get('env:MP_MISSING')).rejects.toThrow('environment variable MP_MISSING is not set');
  });

  it('never quotes the secret text when it is not valid JSON', async () => {
    const source = createLocalSecretSource({ env: { MP_BAD: 'FAKE-SK-do-not-print' } });
    const error = await source.get('env:MP_BAD').catch((e: unknown) => e);

    expect(error).toBeInstanceOf(SecretError);
    expect(String((error as Error).message)).not.toContain('do-not-print');
  });

  it('refuses schemes it does not serve', async () => {
    await expect(createLocalSecretSource().get('vault:mp/ncp')).rejects.toThrow('unknown reference');
  });

  it('says that a Secrets Manager reference needs a stage', async () => {
    await expect(createLocalSecretSource().get('aws:mp/ncp')).rejects.toThrow(
      /aws:mp\/ncp: a Secrets Manager reference needs a stage — run with --stage STAGE/,
    );
  });

  it('reads again after invalidate (a rotated secret)', async () => {
    const env: Record<string, string> = { MP_NCP: JSON.stringify(SECRET) };
    const source = createLocalSecretSource({ env });
    await source.get('env:MP_NCP');
    env.MP_NCP = JSON.stringify({ ...SECRET, secretKey: 'FAKE-ROTATED' });

    expect((await source.get('env:MP_NCP')).secretKey).toBe(SECRET.secretKey);
    source.invalidate('env:MP_NCP');
    expect((await source.get('env:MP_NCP')).secretKey).toBe('FAKE-ROTATED');
  });
});
