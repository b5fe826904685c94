/**
 * The providers this system knows, by key. A leaf: the config and Command schemas take their enums from here,
 * and the provider types from them, with no import running back.
 */
export const PROVIDER_KEYS = ['ncp-object-migration', 'huawei-oms', 'huawei-drs', 'huawei-dcs'] as const;
export type ProviderKey = (typeof PROVIDER_KEYS)[number];
