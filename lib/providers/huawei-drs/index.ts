export { DRS_CAPABILITIES, huaweiDrsAdapter } from './adapter';
export { DRS_JOB_NOT_FOUND } from './error-codes';
export { DRS_DB_USE_TYPES } from './jobs';
export { createDrsSession } from './session';
export { DRS_PAUSABLE_STATES, DRS_PAUSED_STATE, drsPhase } from './states';
