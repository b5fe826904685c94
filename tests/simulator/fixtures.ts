import { afterEach } from 'vitest';
import { type Scenario, type SimAccount, type SimTask, type Simulator, startSimulator } from '../../sim';

export const UUID = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

export const accounts = {
  ncp: {
    name: 'ncp-main',
    provider: 'ncp-object-migration',
    region: 'KR',
    accessKey: 'FAKE-NCP-AK-01',
    secretKey: 'FAKE-NCP-SK-01',
  },
  oms: {
    name: 'oms-main',
    provider: 'huawei-oms',
    region: 'ap-southeast-1',
    projectId: 'fakeprojectoms01',
    accessKey: 'FAKE-OMS-AK-01',
    secretKey: 'FAKE-OMS-SK-01',
    oms: { dst_ak: 'FAKE-DST-AK', dst_sk: 'FAKE-DST-SK' },
  },
  drs: {
    name: 'drs-main',
    provider: 'huawei-drs',
    region: 'ap-southeast-1',
    projectId: 'fakeprojectdrs01',
    accessKey: 'FAKE-DRS-AK-01',
    secretKey: 'FAKE-DRS-SK-01',
  },
  dcs: {
    name: 'dcs-main',
    provider: 'huawei-dcs',
    region: 'ap-southeast-1',
    projectId: 'fakeprojectdcs01',
    accessKey: 'FAKE-DCS-AK-01',
    secretKey: 'FAKE-DCS-SK-01',
  },
} satisfies Record<string, SimAccount>;

const open: Simulator[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((sim) => sim.close()));
});

/** A simulator with the four test accounts and `tasks`; closed after the test. */
export async function simWith(tasks: SimTask[], overrides: Partial<Scenario> = {}): Promise<Simulator> {
  const sim = await startSimulator({ scenario: { accounts: Object.values(accounts), tasks, transitionMs: 40, ...overrides } });
  open.push(sim);
  return sim;
}
