import type { SimAccount, SimTask } from '../../sim';

/** The two accounts most integration tests use: one NCP (signature v2) and one Huawei DRS (AK/SK), fake keys. */
export const NCP_MAIN: SimAccount = {
  name: 'ncp-main',
  provider: 'ncp-object-migration',
  region: 'KR',
  accessKey: 'FAKE-NCP-AK-01',
  secretKey: 'FAKE-NCP-SK-01',
};

export const DRS_MAIN: SimAccount = {
  name: 'drs-main',
  provider: 'huawei-drs',
  region: 'ap-southeast-1',
  projectId: 'fakeproject0001',
  accessKey: 'FAKE-HW-AK-01',
  secretKey: 'FAKE-HW-SK-01',
};

/** A DRS job id (a UUID, as DRS requires) numbered n. */
export const drsJobId = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

/** An NCP policy on ncp-main. */
export const ncpPolicy = (title: string, state: string): SimTask => ({
  provider: 'ncp-object-migration',
  account: NCP_MAIN.name,
  id: title,
  name: title,
  state,
});

/** A DRS job on drs-main. */
export const drsJob = (n: number, name: string, state: string): SimTask => ({
  provider: 'huawei-drs',
  account: DRS_MAIN.name,
  id: drsJobId(n),
  name,
  state,
});
