import * as z from 'zod/mini';
import { dmsManifest } from './aws-dms/manifest';
import { dcsManifest } from './huawei-dcs/manifest';
import { drsManifest } from './huawei-drs/manifest';
import { omsManifest } from './huawei-oms/manifest';
import { ncpManifest } from './ncp-object-migration/manifest';

/**
 * Every provider's manifest: what the config and Command schemas, redaction and the CLI know about it without
 * loading its adapter. A leaf (the manifests import nothing of the system but the part the Huawei services share), so those modules take their provider lists from here
 * with no import running back. Adding a provider: its folder (manifest, adapter, index) and one line here and in
 * registry.ts — the compiler names every Record<ProviderKey, …> that then lacks it.
 */
export const PROVIDER_MANIFESTS = [ncpManifest, omsManifest, drsManifest, dcsManifest, dmsManifest] as const;

export type ProviderManifest = (typeof PROVIDER_MANIFESTS)[number];
export type ProviderKey = ProviderManifest['key'];

export const PROVIDER_KEYS = PROVIDER_MANIFESTS.map((m) => m.key) as [ProviderKey, ...ProviderKey[]];

/** The manifests that declare command options of their own (under `options.<key>`). */
export type ManifestWithOptions = Extract<ProviderManifest, { options: unknown }>;

/** Each such provider's options schema, by key: the Command's `options` shape takes them from here. */
export type ProviderOptionsShape = {
  [M in ManifestWithOptions as M['key']]: z.ZodMiniOptional<M['options']>;
};

export const PROVIDER_OPTIONS = Object.fromEntries(
  PROVIDER_MANIFESTS.flatMap((m) => ('options' in m ? [[m.key, z.optional(m.options)]] : [])),
) as ProviderOptionsShape;

/** The options a provider takes from a command, with their defaults (none for a provider that has none). */
export type ProviderOptions<K extends ProviderKey> = K extends ManifestWithOptions['key']
  ? z.output<Extract<ManifestWithOptions, { key: K }>['options']>
  : Record<string, never>;

/** The manifests that declare account fields of their own (AWS DMS `roleArn`). */
type ManifestWithAccountFields = Extract<ProviderManifest, { accountFields: unknown }>;
type UnionToIntersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never;

/** Every provider's own account fields, by name (each optional): the accounts file schema takes them from here. */
export type ProviderAccountFieldsShape = UnionToIntersection<ManifestWithAccountFields['accountFields']>;

export const PROVIDER_ACCOUNT_FIELDS = Object.assign(
  {},
  ...PROVIDER_MANIFESTS.map((m) => ('accountFields' in m ? m.accountFields : {})),
) as ProviderAccountFieldsShape;

/** Which provider owns each of those fields: an account of another provider that gives one is refused. */
export const ACCOUNT_FIELD_OWNERS: ReadonlyMap<string, ProviderManifest> = new Map(
  PROVIDER_MANIFESTS.flatMap((m) => ('accountFields' in m ? Object.keys(m.accountFields).map((f) => [f, m] as const) : [])),
);

/** Whether an account of this provider may name no secret (its credentials come from the environment). */
export function secretOptional(key: ProviderKey): boolean {
  const manifest = manifestOf(key);
  return 'secretOptional' in manifest && manifest.secretOptional;
}

export function manifestOf(key: ProviderKey): ProviderManifest {
  const manifest = PROVIDER_MANIFESTS.find((m) => m.key === key);
  if (!manifest) throw new Error(`no manifest for provider ${key}`);
  return manifest;
}
