import type { Scenario, SimAccount } from './types';

/**
 * The echoing provider (`Scenario.echoSecrets`): a provider that quotes the caller's credentials back in the free
 * text of its replies, the worst a careless provider can do to a client's logs. Every quote holds each value bare
 * (which only a client that knows the value can redact), once in a `"sk":"…"` pair, in an HTTP Basic header, and
 * base64-encoded on its own.
 */
export interface Echo {
  /** `text` with the quote appended; `extra` are secrets of the task the text is about (a DCS task's passwords). */
  text(text: string, extra?: readonly string[]): string;
  /** A per-job error code of a 2xx batch reply: quoted only when the scenario asks for codes too. */
  code(code: string): string;
}

export const NO_ECHO: Echo = { text: (text) => text, code: (code) => code };

/**
 * What a reply may quote. Once the request is authenticated: the account's keys, and for OMS its task keys. Before
 * that (an auth failure, an injected fault, an unknown route), only the access key the request itself presented:
 * quoting an account's secret key to a caller that has not proved it holds it is beyond any provider, and no
 * client could recognise a value it never had.
 */
export function echoFor(
  setting: Scenario['echoSecrets'],
  who: { account: SimAccount; authenticated: true } | { presentedAccessKey: string | undefined; authenticated: false },
): Echo {
  if (setting === undefined || setting === false) return NO_ECHO;
  const codes = typeof setting === 'object' && setting.codes === true;
  const own = who.authenticated ? accountSecrets(who.account) : who.presentedAccessKey ? [who.presentedAccessKey] : [];
  if (own.length === 0) return NO_ECHO;
  const quoteFor = (extra: readonly string[]) => quote(own, extra, who.authenticated ? who.account : undefined);
  return {
    text: (text, extra = []) => (text === '' ? quoteFor(extra) : `${text} ${quoteFor(extra)}`),
    code: (code) => (codes ? `${code} ${quoteFor([])}` : code),
  };
}

function accountSecrets(account: SimAccount): string[] {
  const oms = account.oms;
  return [
    account.accessKey,
    account.secretKey,
    ...(oms === undefined ? [] : [oms.dst_ak, oms.dst_sk, oms.src_ak, oms.src_sk]),
  ].filter((value): value is string => value !== undefined && value !== '');
}

function quote(own: readonly string[], extra: readonly string[], account: SimAccount | undefined): string {
  const values = [...own, ...extra];
  const parts = [`(echo: ${values.join(' ')}`];
  if (account !== undefined) {
    parts.push(`sent {"ak":"${account.accessKey}","sk":"${account.secretKey}"}`);
    parts.push(`Authorization: Basic ${Buffer.from(`${account.accessKey}:${account.secretKey}`).toString('base64')}`);
  }
  parts.push(`${values.map((value) => Buffer.from(value, 'utf8').toString('base64')).join(' ')})`);
  return parts.join('; ');
}

/**
 * An error body with its message quoted: NCP's `error.message`, Huawei's `error_msg` (services and gateway alike),
 * AWS JSON's `message`.
 * Codes are left alone: they are what a client classifies the error by.
 */
export function echoErrorBody(body: unknown, echo: Echo): unknown {
  if (echo === NO_ECHO || !isRecord(body)) return body;
  const { error } = body;
  if (isRecord(error) && typeof error.message === 'string')
    return { ...body, error: { ...error, message: echo.text(error.message) } };
  if (typeof body.error_msg === 'string') return { ...body, error_msg: echo.text(body.error_msg) };
  // AWS JSON (DMS): `{"__type": …, "message": …}`.
  if (typeof body.__type === 'string' && typeof body.message === 'string') return { ...body, message: echo.text(body.message) };
  return body;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
