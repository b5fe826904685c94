export { awsDmsAdapter, DMS_CAPABILITIES } from './adapter';
export { clearAssumedRoles } from './credentials';
export { classifyDmsError } from './errors';
export { createDmsSession } from './session';
export { dmsPhase } from './states';
