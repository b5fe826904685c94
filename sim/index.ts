/**
 * The provider simulator: test equipment standing in for NAVER Cloud Object Migration, Huawei OMS, DRS and DCS,
 * and AWS DMS (with the STS that hands out its roles' credentials) over real HTTP, following the providers'
 * published API contracts. It imports nothing from lib/ but types.
 */
export { runSimulatorForeground } from './cli';
export { fakeRedisPasswords } from './providers/dcs';
export { generateScenario, STATES } from './scenario';
export { parseScenario } from './scenario-file';
export { startSimulator } from './server';
export type {
  AccountsFileOptions,
  AppliedAction,
  FaultRule,
  RecordedRequest,
  Scenario,
  SimAccount,
  SimTask,
  Simulator,
} from './types';
