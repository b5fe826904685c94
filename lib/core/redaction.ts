/**
 * Redaction of credentials in anything written out (log lines, rejected payloads): values under credential-like
 * keys, credential-looking fragments inside free text, and the exact values of secrets this process has read.
 * The house rule is that no code logs a secret; this is the net under that rule, so a mistake is not a leak.
 */

export const REDACTED = '[REDACTED]';

/** Keys (compared lower-case, without `-`, `_` or `.`) whose value is a credential whatever it looks like. */
const SECRET_KEYS = new Set([
  'ak',
  'sk',
  'dstak',
  'dstsk',
  'srcak',
  'srcsk',
  'secret',
  'secrets',
  'cookie',
  'setcookie',
  'credentials',
  'xncpiamaccesskey',
  'xncpapigwsignaturev2',
  'xsecuritytoken',
]);

/** Key endings that name a credential: `secretKey`, `dst_secret_key`, `redisPassword`, `x-auth-token`. */
const SECRET_KEY_ENDINGS = [
  'secretkey',
  'accesskey',
  'accesskeyid',
  'secretaccesskey',
  'password',
  'passwd',
  'token',
  'authorization',
  'signature',
  'apikey',
  'privatekey',
  'secretstring',
];

export function isSecretKey(key: string): boolean {
  const normalised = key.toLowerCase().replace(/[-_.\s]/g, '');
  return SECRET_KEYS.has(normalised) || SECRET_KEY_ENDINGS.some((ending) => normalised.endsWith(ending));
}

/**
 * Credential-looking fragments of free text; the first group is kept, the rest becomes [REDACTED]: a Huawei
 * `Authorization` header (`Access=…`, `Signature=…`), a bearer or basic credential, and `key=value` or
 * `"key": "value"` pairs whose key names a credential (error messages that quote a request or a body).
 */
const TEXT_PATTERNS: readonly RegExp[] = [
  /\b((?:Access|Signature)=)[^,\s"'[\]]+/g,
  /\b((?:Bearer|Basic)\s+)[A-Za-z0-9._~+/=-]{6,}/gi,
  /\b((?:[a-z0-9]+[-_]){0,4}(?:secret[-_]?key|access[-_]?key(?:[-_]?id)?|sk|ak|password|passwd|token|authorization|signature(?:[-_]v2)?|api[-_]?key|secret)["']?\s*[:=]\s*["']?)[^"'\s,;&{}[\]]+/gi,
];

/** Exact secret values read by this process (at least this long, so a short word is never treated as secret). */
const MIN_KNOWN_SECRET_LENGTH = 6;
const knownSecrets = new Set<string>();

/**
 * Remembers the credentials in a secret that was just read (an account's keys, an OMS `dst_sk`, a Redis password):
 * every string under a credential key, or the secret itself when it is a bare string, so that text quoting one of
 * them anywhere is redacted. Secret sources call it with what they fetched.
 */
export function rememberSecretValues(secret: unknown, key?: string): void {
  if (typeof secret === 'string') {
    if (secret.length < MIN_KNOWN_SECRET_LENGTH || (key !== undefined && !isSecretKey(key))) return;
    // The forms a value takes when it is quoted in a URL or a header, too.
    for (const form of [secret, encodeURIComponent(secret), Buffer.from(secret, 'utf8').toString('base64')])
      knownSecrets.add(form);
    return;
  }
  if (typeof secret !== 'object' || secret === null) return;
  for (const [name, value] of Object.entries(secret)) {
    rememberSecretValues(value, key !== undefined && isSecretKey(key) ? key : name);
  }
}

/** For tests: forget every remembered value. */
export function forgetSecretValues(): void {
  knownSecrets.clear();
}

/** The text with every remembered secret value and credential-looking fragment replaced by [REDACTED]. */
export function redactText(text: string): string {
  let result = text;
  for (const secret of knownSecrets) if (result.includes(secret)) result = result.split(secret).join(REDACTED);
  for (const pattern of TEXT_PATTERNS) result = result.replace(pattern, `$1${REDACTED}`);
  return result;
}

/**
 * A JSON.stringify replacer (the Powertools Logger's `jsonReplacerFn`): a credential key's value becomes
 * [REDACTED] whatever its type; every other string is passed through `redactText`.
 */
export function redactingReplacer(key: string, value: unknown): unknown {
  if (key !== '' && isSecretKey(key) && value !== undefined && value !== null && value !== '') return REDACTED;
  if (typeof value === 'string') return redactText(value);
  return value;
}

/** A value made safe to write out: a copy with credentials redacted (JSON-shaped; errors keep name and message). */
export function redactValue(value: unknown): unknown {
  const text = JSON.stringify(value, (key: string, v: unknown) =>
    redactingReplacer(key, v instanceof Error ? { name: v.name, message: v.message } : v),
  );
  return text === undefined ? undefined : (JSON.parse(text) as unknown);
}
