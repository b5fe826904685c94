/**
 * Redaction of credentials in anything written out (log lines, rejected payloads): values under credential-like
 * keys, credential-looking fragments inside free text, and the exact values of secrets this process has read.
 * The house rule is that no code logs a secret; this is the net under that rule, so a mistake is not a leak.
 */

import { PROVIDER_MANIFESTS } from '../providers/keys';

export const REDACTED = '[REDACTED]';

/** Keys (compared lower-case, without `-`, `_` or `.`) whose value is a credential whatever it looks like. */
const SECRET_KEYS = new Set([
  'secret',
  'secrets',
  'cookie',
  'setcookie',
  'credentials',
  // Each provider's own credential headers (NCP's x-ncp-iam-access-key, Huawei's x-security-token, …) and the
  // fields of its secret that hold a credential (Huawei's ak and sk, OMS's task keys, …).
  ...PROVIDER_MANIFESTS.flatMap((m) => [...m.credentialHeaders, ...m.secretFields].map(normalisedKey)),
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

function normalisedKey(key: string): string {
  return key.toLowerCase().replace(/[-_.\s]/g, '');
}

export function isSecretKey(key: string): boolean {
  const normalised = normalisedKey(key);
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
    for (const form of secretForms(secret)) knownSecrets.add(form);
    return;
  }
  if (typeof secret !== 'object' || secret === null) return;
  for (const [name, value] of Object.entries(secret)) {
    rememberSecretValues(value, key !== undefined && isSecretKey(key) ? key : name);
  }
}

/**
 * The forms a value takes when it is quoted: as it is, URL-encoded (a query string or a form body), and base64 —
 * alone, and inside a longer base64 text at each of the three byte alignments (a Basic header of `user:secret`):
 * there only the characters that encode the value's bytes alone are its own, the ones at either end are shared with
 * the text around it.
 */
function secretForms(secret: string): string[] {
  const forms = new Set([secret, Buffer.from(secret, 'utf8').toString('base64')]);
  try {
    forms.add(encodeURIComponent(secret));
    forms.add(new URLSearchParams({ v: secret }).toString().slice(2));
  } catch {
    // A lone surrogate has no URL form (encodeURIComponent throws): no URL can quote it either.
  }
  const bytes = Buffer.byteLength(secret, 'utf8');
  for (const shift of [0, 1, 2]) {
    const encoded = Buffer.from(`${'\0'.repeat(shift)}${secret}`, 'utf8').toString('base64');
    // Characters wholly inside the value's bytes: after the shift's, up to the last one its bytes complete.
    const own = encoded.slice(Math.ceil((shift * 4) / 3), Math.floor(((shift + bytes) * 4) / 3));
    if (own.length >= MIN_KNOWN_SECRET_LENGTH) forms.add(own);
  }
  return [...forms];
}

/** For tests: forget every remembered value. */
export function forgetSecretValues(): void {
  knownSecrets.clear();
}

/**
 * The text with every remembered secret value and credential-looking fragment replaced by [REDACTED]. Every span to
 * hide is found in the text as given, then overlapping and touching spans are hidden as one: a value is never cut
 * by another that was replaced before it (two secrets that overlap, a Basic header whose value starts with a
 * remembered key), so no piece of it is left.
 */
export function redactText(text: string): string {
  return hideSpans(text, knownSecrets, TEXT_PATTERNS);
}

/**
 * The text with each of `secrets` replaced by [REDACTED], in every form it is quoted in: values that are not this
 * process's own secrets but came with the text (a DCS task's Redis passwords, in the body that names the task).
 * Values shorter than the shortest remembered secret are left alone, as they would be there.
 */
export function redactValues(text: string, secrets: readonly string[]): string {
  const forms = secrets.filter((secret) => secret.length >= MIN_KNOWN_SECRET_LENGTH).flatMap(secretForms);
  return forms.length === 0 ? text : hideSpans(text, forms, []);
}

function hideSpans(text: string, values: Iterable<string>, patterns: readonly RegExp[]): string {
  const spans: Array<[start: number, end: number]> = [];
  for (const value of values) {
    for (let at = text.indexOf(value); at !== -1; at = text.indexOf(value, at + 1)) spans.push([at, at + value.length]);
  }
  for (const pattern of patterns) {
    // `search` first: most text matches no pattern, and costs no iterator then.
    if (text.search(pattern) === -1) continue;
    for (const match of text.matchAll(pattern)) {
      // The first group (the key, the scheme) is kept.
      const start = match.index + (match[1]?.length ?? 0);
      spans.push([start, match.index + match[0].length]);
    }
  }
  if (spans.length === 0) return text;
  spans.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  let result = '';
  let kept = 0;
  let hiddenTo = -1;
  for (const [start, end] of spans) {
    if (start > hiddenTo) {
      if (hiddenTo !== -1) result += REDACTED;
      result += text.slice(kept, start);
    }
    hiddenTo = Math.max(hiddenTo, end);
    kept = hiddenTo;
  }
  return `${result}${REDACTED}${text.slice(kept)}`;
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
