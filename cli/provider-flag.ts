import type { FieldIssue } from '../lib/core/errors';
import { PROVIDER_KEYS, type ProviderKey } from '../lib/providers/keys';
import { didYouMean } from './suggest';

export function isProviderKey(value: string): value is ProviderKey {
  return (PROVIDER_KEYS as readonly string[]).includes(value);
}

/**
 * A provider named on the command line, checked against the registry (so a provider added there is known here
 * with no CLI change): `--provider: unknown provider "huawei-dsr" (did you mean huawei-drs?)`.
 */
export function unknownProvider(flag: string, value: string): FieldIssue {
  return {
    path: flag,
    message: `unknown provider "${value}"${didYouMean(value, PROVIDER_KEYS) || ` (providers: ${PROVIDER_KEYS.join(', ')})`}`,
  };
}

/** The providers given with a flag, and an issue for each one the registry does not know. */
export function providersOf(
  flag: string,
  values: readonly string[] | undefined,
  issues: FieldIssue[],
): ProviderKey[] | undefined {
  if (values === undefined) return undefined;
  const known: ProviderKey[] = [];
  for (const value of values) {
    if (isProviderKey(value)) known.push(value);
    else issues.push(unknownProvider(flag, value));
  }
  return known;
}
