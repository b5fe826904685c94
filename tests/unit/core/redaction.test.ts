import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { parseAccounts } from '../../../lib/config';
import { ProviderError } from '../../../lib/core/errors';
import { forgetSecretValues, REDACTED, redactText, rememberSecretValues } from '../../../lib/core/redaction';
import { AccountSessions, type AdapterRegistry } from '../../../lib/core/sessions';
import { PROVIDER_KEYS, type ProviderAdapter, type ProviderTask } from '../../../lib/providers/types';

/**
 * Provider reply text quoting a secret this process read — anywhere, in any of the forms a value takes on the wire —
 * comes out of a ProviderError and out of a session's tasks without that secret in any form.
 */

/** Characters that break naive redaction: regex metacharacters, URL and base64 specials, quotes, unicode. */
const AWKWARD = [...'.*+?^$()[]{}|\\/%=&#:;,"\' \t\n-_~!@', 'é', 'ß', '中', '😀', 'Z', 'k', '7'];

/** A secret as a secret source may hold it: at least 6 characters, of any kind. */
const secretArbitrary = fc
  .oneof(
    fc.string({ unit: fc.constantFrom(...AWKWARD), minLength: 6, maxLength: 20 }),
    fc.string({ unit: 'grapheme', minLength: 6, maxLength: 20 }),
    fc.string({ unit: 'binary', minLength: 6, maxLength: 20 }),
    fc.stringMatching(/^[A-Za-z0-9/+=]{6,40}$/),
  )
  .filter((secret) => secret.length >= 6 && !canMeetMarker(secret));

/**
 * Whether the secret could be read across a [REDACTED] marker and the text beside it (it begins with the end of
 * the marker, ends with its beginning, or lies within it): then the text around a redacted value may spell it
 * again without holding it. No such secret is generated: what such output shows is the text's, not the secret's.
 */
function canMeetMarker(secret: string): boolean {
  for (let offset = 1 - secret.length; offset < REDACTED.length; offset++) {
    let agrees = true;
    for (let i = Math.max(0, -offset); i < secret.length && i + offset < REDACTED.length; i++) {
      if (i + offset >= 0 && secret[i] !== REDACTED[i + offset]) {
        agrees = false;
        break;
      }
    }
    if (agrees) return true;
  }
  return false;
}

const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

/** One quote of the secret as a provider might write it. */
const quoteArbitrary = (secret: string) =>
  fc.oneof(
    fc.constant(secret),
    fc.constant(encodeURIComponent(secret)),
    fc.constant(base64(secret)),
    // Inside a longer encoded value (a Basic header of `user:secret`): the secret at any byte alignment.
    fc
      .tuple(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }))
      .map(([before, after]) => base64(`${before}${secret}${after}`)),
  );

/** Free text with quotes of the secrets at arbitrary positions. */
const textArbitrary = (secrets: readonly string[]) =>
  fc
    .array(
      fc.oneof(
        fc.string({ unit: 'grapheme', maxLength: 12 }),
        fc.string({ unit: fc.constantFrom(...AWKWARD), maxLength: 12 }),
        fc.constantFrom(...secrets).chain(quoteArbitrary),
      ),
      { minLength: 1, maxLength: 8 },
    )
    .map((pieces) => pieces.join(''));

/**
 * The forms that count as the secret: itself, URL-encoded, and base64 at each byte alignment (the characters that
 * encode the secret's bytes alone, as the secret-hygiene scanner looks for them).
 */
function forms(secret: string): string[] {
  const aligned = [0, 1, 2].map((shift) => base64(`${'x'.repeat(shift)}${secret}`).slice(4 * Math.ceil(shift / 3) + 2, -4));
  return [secret, encodeURIComponent(secret), ...aligned.filter((form) => form.length >= 12)];
}

function leaks(text: string | undefined, secrets: readonly string[]): string[] {
  if (text === undefined) return [];
  return secrets.flatMap((secret) => forms(secret).filter((form) => text.includes(form)));
}

/** Sessions over a fake provider that answers `text` in every field it has; the secret holds `secrets`. */
function sessionsAnswering(text: string, secrets: readonly string[]): AccountSessions {
  const task: ProviderTask = {
    provider: 'huawei-drs',
    account: 'acc-01',
    taskId: 'job-1',
    name: text,
    state: text,
    phase: 'running',
    resumeUnsupportedReason: text,
    details: { description: text, progress: 1 },
  };
  const adapter = {
    key: 'huawei-drs',
    capabilities: {
      batchLimit: 20,
      confirm: { intervalMs: 1, deadlineMs: 1 },
      rateLimit: { perSecond: 1_000, burst: 1_000 },
      describe: 'a fake provider that answers the same text everywhere',
    },
    open: () => ({
      list: async () => [task],
      get: async () =>
        new Map<string, ProviderTask | ProviderError>([
          ['job-1', task],
          ['job-2', new ProviderError(text, { errorClass: 'not-found', provider: 'huawei-drs', providerCode: text })],
        ]),
      pause: async () => [],
      resume: async () => [],
    }),
  } as unknown as ProviderAdapter;
  const registry = Object.fromEntries(PROVIDER_KEYS.map((key) => [key, adapter])) as unknown as AdapterRegistry;
  const { accounts } = parseAccounts({
    accounts: [{ name: 'acc-01', provider: 'huawei-drs', region: 'ap-southeast-1', projectId: 'p1', secret: 'env:X' }],
  });
  // Keys named as a Huawei secret and an OMS section name them: every one is remembered as the session opens.
  const [first = '', ...others] = secrets;
  const secret = { ak: first, sk: others[0] ?? first, oms: { dst_sk: others[1] ?? first } };
  return new AccountSessions(accounts, registry, { get: async () => secret, invalidate: () => {} });
}

/** Every string of a task the session handed back. */
function taskText(task: ProviderTask | ProviderError | undefined): Array<string | undefined> {
  if (task === undefined || task instanceof ProviderError) return ['not a task'];
  return [task.name, task.state, task.resumeUnsupportedReason, ...Object.values(task.details ?? {}).map(String)];
}

afterEach(() => forgetSecretValues());

describe('redaction of provider reply text (property)', () => {
  it('leaves no remembered secret, in any form, in a ProviderError or a task the session hands back', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .uniqueArray(secretArbitrary, { minLength: 1, maxLength: 3 })
          .chain((secrets) => fc.tuple(fc.constant(secrets), textArbitrary(secrets))),
        async ([secrets, text]) => {
          forgetSecretValues();
          const sessions = sessionsAnswering(text, secrets);
          const session = await sessions.session('acc-01');

          const error = new ProviderError(text, { errorClass: 'bad-request', provider: 'huawei-drs', providerCode: text });
          const [listed] = await session.list();
          const read = await session.get(['job-1', 'job-2']);
          const readError = read.get('job-2');
          const outputs = [
            error.message,
            error.providerCode,
            error.forTask('t-1').message,
            ...[listed, read.get('job-1')].flatMap(taskText),
            readError instanceof ProviderError ? readError.message : 'missing',
            readError instanceof ProviderError ? readError.providerCode : 'missing',
          ];

          expect(outputs.flatMap((output) => leaks(output, secrets))).toEqual([]);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('redaction of provider reply text (examples)', () => {
  it('hides a Basic header whose value begins with a remembered key whole, and the other key inside it', () => {
    rememberSecretValues({ ak: 'FAKE-AK-0001', sk: 'FAKE/SK+0001=x' });

    const header = `Authorization: Basic ${base64('FAKE-AK-0001:FAKE/SK+0001=x')}`;
    const embedded = `then ${base64('user:FAKE/SK+0001=x!')}`;

    expect(redactText(header)).toBe(`Authorization: ${REDACTED} ${REDACTED}`);
    // Only the characters that also encode `user:` and `!` are left.
    expect(redactText(embedded)).toBe(`then dXNlcjp${REDACTED}CE=`);
  });

  it('hides two remembered secrets that overlap in the text as one, leaving no piece of either', () => {
    rememberSecretValues({ ak: 'abcdefgh', sk: 'efghijkl' });

    expect(redactText('x abcdefghijkl y')).toBe(`x ${REDACTED} y`);
  });

  it('hides a secret written form-encoded (a space as +)', () => {
    rememberSecretValues({ sk: 'pass word 1' });

    expect(redactText('body: a=1&b=pass+word+1')).toBe(`body: a=1&b=${REDACTED}`);
  });

  it('remembers a secret holding a lone surrogate without failing (it has no URL form)', () => {
    expect(() => rememberSecretValues({ sk: 'abc\ud800defg' })).not.toThrow();
    expect(redactText('quoted abc\ud800defg')).toBe(`quoted ${REDACTED}`);
  });
});
