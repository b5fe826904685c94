export { huaweiOmsAdapter, OMS_CAPABILITIES } from './adapter';
export { buildOmsResumeBody, OMS_RESUME_FIELDS, type OmsResumeBody } from './resume-body';
export { omsPhase } from './states';
