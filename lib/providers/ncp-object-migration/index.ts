export { NCP_CAPABILITIES, ncpObjectMigrationAdapter } from './adapter';
export { ncpPhase } from './states';
