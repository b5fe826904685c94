export { DCS_CAPABILITIES, huaweiDcsAdapter } from './adapter';
export { BACKUPFILE_IMPORT_UNSUPPORTED, dcsPhase } from './states';
