import { describe, expect, it } from 'vitest';
import { parseAccounts } from '../../lib/config';
import { generateScenario } from '../../sim';
import { simWith } from './fixtures';

describe('generated scenarios', () => {
  it('are deterministic for a seed and differ between seeds', () => {
    expect(generateScenario({ seed: 7 })).toEqual(generateScenario({ seed: 7 }));
    expect(generateScenario({ seed: 7 }).tasks).not.toEqual(generateScenario({ seed: 8 }).tasks);
  });

  it('hold a mixed fleet per provider with obviously fake keys and a few backup-file imports', () => {
    const scenario = generateScenario({ tasksPerProvider: 20, accountsPerProvider: 2 });

    expect(scenario.accounts).toHaveLength(10);
    expect(scenario.accounts.every((a) => a.accessKey.startsWith('FAKE-') && a.secretKey.startsWith('FAKE-'))).toBe(true);
    const ncpStates = scenario.tasks.filter((t) => t.provider === 'ncp-object-migration').map((t) => t.state);
    expect(ncpStates.filter((s) => s === 'STARTED').length).toBeGreaterThan(ncpStates.length / 2);
    expect(ncpStates).toContain('PAUSED');
    expect(scenario.tasks.some((t) => t.provider === 'huawei-dcs' && t.migrationType === 'backupfile_import')).toBe(true);
    expect(scenario.tasks.filter((t) => t.provider === 'huawei-oms').every((t) => /^\d{15}$/.test(t.id))).toBe(true);
  });

  it("give an accounts file lib accepts and secrets under the file's env names", async () => {
    const scenario = generateScenario({ tasksPerProvider: 3 });
    const sim = await simWith(scenario.tasks, { accounts: scenario.accounts });

    const file = parseAccounts(sim.accountsFile({ confirm: { intervalMs: 20, deadlineMs: 1000 } }));
    const env = sim.secretEnv();

    expect(file.accounts).toHaveLength(5);
    for (const account of file.accounts) {
      const secret = JSON.parse(env[(account.secret ?? '').replace('env:', '')] ?? '{}');
      expect(account.endpoint).toBe(sim.url);
      const expected: Record<string, unknown> = {
        'ncp-object-migration': { accessKey: expect.any(String), secretKey: expect.any(String) },
        'aws-dms': { accessKeyId: expect.any(String), secretAccessKey: expect.any(String) },
      };
      expect(secret).toEqual(
        expected[account.provider] ?? expect.objectContaining({ ak: expect.any(String), projectId: account.projectId }),
      );
    }
    expect(JSON.parse(env.MP_SIM_OMS_01 ?? '{}')).toMatchObject({ oms: { dst_ak: 'FAKE-OMS-DST-AK-01' } });
    // A DMS account names the role its keys assume, and the simulator as its STS too.
    expect(file.accounts.find((a) => a.provider === 'aws-dms')).toMatchObject({
      roleArn: expect.stringMatching(/^arn:aws:iam::000000000000:role\/fake-/),
      externalId: 'fake-external-id-01',
      stsEndpoint: sim.url,
    });
  });
});
