import { randomUUID } from 'node:crypto';
import * as z from 'zod/mini';
import { PROVIDER_KEYS, PROVIDER_MANIFESTS, PROVIDER_OPTIONS } from '../providers/keys';
import { CommandValidationError, type FieldIssue } from './errors';
import './zod-messages';

/**
 * Characters that look like a path separator without being one (U+2215 DIVISION SLASH,
 * U+2044 FRACTION SLASH, …): an id holding one is a spoof or a mistake. Compatibility forms, which a server that
 * normalises Unicode would read as the real thing (U+FF0F FULLWIDTH SOLIDUS, U+2025 TWO DOT LEADER), are caught by
 * checking the NFKC form too.
 */
const LOOKALIKES = /[\u2044\u2215\u2216\u29f5\u29f8\u29f9\ufe68]/u;
const UNSAFE_IN_PATH = /[/\\%?#\p{C}\p{Zl}\p{Zp}]/u;

/**
 * A task id as accepted from outside. Ids end up in URL paths, so anything that could escape a path segment
 * or a query is refused here, once: `/`, `\`, `%`, `?`, `#`, `..`, control, format (zero-width), private-use and
 * unassigned characters, lone surrogates, line separators, look-alikes of those, surrounding spaces.
 * Non-ASCII letters stay allowed (NCP titles such as 테스트 exist).
 */
export const taskIdSchema = z.string().check(
  z.minLength(1),
  z.maxLength(128),
  z.refine(
    (id) => !UNSAFE_IN_PATH.test(id) && !UNSAFE_IN_PATH.test(id.normalize('NFKC')),
    'must not contain / \\ % ? # or control, invisible or unassigned characters',
  ),
  z.refine((id) => !LOOKALIKES.test(id), 'must not contain look-alikes of / or \\'),
  z.refine(
    (id) => ![id, id.normalize('NFKC')].some((form) => form.includes('..') || form === '.'),
    'must not contain .. or be .',
  ),
  z.refine((id) => id.trim() === id, 'must not start or end with spaces'),
);

export const accountNameSchema = z
  .string()
  .check(z.regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'letters, digits, . _ - (at most 64, starting with a letter or digit)'));

/** A glob over task names: `*` any run of characters, `?` one character. */
export const namePatternSchema = z.string().check(z.minLength(1), z.maxLength(200));

const selectorShape = {
  providers: z.optional(z.array(z.enum(PROVIDER_KEYS)).check(z.minLength(1), z.maxLength(PROVIDER_KEYS.length))),
  accounts: z.optional(z.array(accountNameSchema).check(z.minLength(1), z.maxLength(200))),
  taskIds: z.optional(z.array(taskIdSchema).check(z.minLength(1), z.maxLength(10_000))),
  namePattern: z.optional(namePatternSchema),
};

export const scopeSchema = z
  .strictObject({
    all: z.optional(z.boolean()),
    ...selectorShape,
    exclude: z.optional(z.strictObject(selectorShape)),
  })
  .check(
    z.refine((s) => s.all === true || Boolean(s.providers || s.accounts || s.taskIds || s.namePattern), {
      message: 'say all: true, or name providers, accounts, taskIds or a namePattern',
    }),
    z.refine((s) => !(s.all === true && (s.providers || s.accounts || s.taskIds || s.namePattern)), {
      message: 'all: true cannot be combined with other selectors (use exclude to narrow it)',
    }),
  );

export const actionOptionsSchema = z.strictObject({
  /**
   * Per provider, under its key, what that provider's manifest declares (`options["huawei-drs"].pauseMode`): the
   * core knows none of them.
   */
  ...PROVIDER_OPTIONS,
  /** Resume even when another source still holds the task paused; recorded in the audit. */
  force: z._default(z.boolean(), false),
  /**
   * Resume: act only on targets whose every hold has expired (`until` passed), whatever their sources — the sweep
   * that a rate schedule runs, so an incident pause "for two hours" really ends.
   */
  expiredHolds: z.optional(z.boolean()),
  /**
   * Pause: also stop tasks whose stop cannot be undone (a DCS backup-file import cannot be restarted). Off by
   * default: such a task is `unsupported`, with the reason, and left running.
   */
  allowIrreversible: z.optional(z.boolean()),
});

/** Who holds what a command pauses (see Command.source). */
export const sourceSchema = z
  .string()
  .check(z.trim(), z.regex(/^[A-Za-z0-9][A-Za-z0-9:._@/-]{0,127}$/, 'letters, digits and : . _ @ / - (at most 128)'));

/** A person or system named in the audit (requestedBy, a redrive's operator). */
export const requesterSchema = z.string().check(z.trim(), z.minLength(1), z.maxLength(200));

/** The Command's format version: a publisher may state it, and a message of a later format is refused, not misread. */
export const COMMAND_VERSION = 1;

export const commandSchema = z
  .strictObject({
    version: z.optional(z.literal(COMMAND_VERSION)),
    action: z.enum(['pause', 'resume']),
    scope: scopeSchema,
    reason: z.string().check(z.trim(), z.minLength(1, 'a reason is required'), z.maxLength(500)),
    requestedBy: z._default(requesterSchema, 'unknown'),
    /**
     * Who holds what this command pauses, and whose holds its resume releases: `window:business-hours`, `INC-1234`,
     * `cost-guard`. A resume lifts only its own source's holds; a task still held by another source stays paused.
     */
    source: z._default(sourceSchema, 'manual'),
    /** Pause only: the hold stops counting at this instant (ISO 8601 with offset), e.g. an incident pause for two hours. */
    until: z.optional(z.iso.datetime({ offset: true })),
    commandId: z._default(z.uuid(), () => randomUUID()),
    dryRun: z._default(z.boolean(), false),
    options: z._default(actionOptionsSchema, { force: false }),
    /**
     * Set on a command a redrive made from failed targets: the command it repeats and who redrove it. requestedBy
     * stays the original requester's, so the audit names both.
     */
    redrive: z.optional(
      z.strictObject({
        of: z.string().check(z.minLength(1), z.maxLength(128)),
        by: requesterSchema,
      }),
    ),
    /**
     * Who the commands queue says sent the message (its SQS SenderId: an IAM user id, or a role id and session),
     * recorded next to the requestedBy the sender claims. The commands function sets it from the queue, whatever
     * the message said; absent for commands that did not come through the queue.
     */
    sentBy: z.optional(requesterSchema),
  })
  .check(
    z.refine((c) => c.until === undefined || c.action === 'pause', { message: 'until applies to pause only', path: ['until'] }),
  );

export type Command = z.output<typeof commandSchema>;
export type CommandInput = z.input<typeof commandSchema>;
export type Scope = z.output<typeof scopeSchema>;
export type ActionOptions = z.output<typeof actionOptionsSchema>;
export type Action = Command['action'];

/** Parses anything into a Command, or throws CommandValidationError naming every bad field. */
export function parseCommand(input: unknown): Command {
  const result = commandSchema.safeParse(input);
  if (result.success) return result.data;
  throw new CommandValidationError(toFieldIssues(result.error));
}

/** Bounds on what a rejection says, so that a hostile input cannot make the error itself huge. */
export const MAX_ISSUES = 20;
const MAX_SEGMENT_CHARS = 64;
const MAX_MESSAGE_CHARS = 300;

/**
 * The issues of a failed parse as field paths and messages: at most MAX_ISSUES (and one saying how many more),
 * long keys and messages shortened (zod quotes unrecognised keys), invisible characters escaped.
 */
export function toFieldIssues(error: z.core.$ZodError): FieldIssue[] {
  return boundIssues(
    error.issues.map((issue) => ({
      path: issue.path
        .map((segment) => (typeof segment === 'symbol' ? String(segment) : clip(String(segment), MAX_SEGMENT_CHARS)))
        .join('.'),
      message: movedOptionHint(issue) ?? issue.message,
    })),
  );
}

/** A provider's option given where earlier versions took it (`options.pauseMode`): say where it lives now. */
function movedOptionHint(issue: z.core.$ZodIssue): string | undefined {
  if (issue.code !== 'unrecognized_keys' || issue.path.join('.') !== 'options') return undefined;
  const moved = issue.keys.flatMap((key) =>
    PROVIDER_MANIFESTS.flatMap((m) =>
      'options' in m && key in m.options.def.shape ? [`options.${key} is now options["${m.key}"].${key}`] : [],
    ),
  );
  return moved.length ? `${issue.message}: ${moved.join('; ')}` : undefined;
}

/** Issues made safe to log, throw or queue: few, short, printable. */
export function boundIssues(issues: readonly FieldIssue[]): FieldIssue[] {
  const kept = issues.slice(0, MAX_ISSUES).map((issue) => ({
    path: clip(issue.path, MAX_SEGMENT_CHARS * 4),
    message: clip(issue.message, MAX_MESSAGE_CHARS),
  }));
  const more = issues.length - kept.length;
  if (more > 0) kept.push({ path: '(more)', message: `${more} more issue(s) not listed` });
  return kept;
}

/** Escapes invisible characters (so a key cannot forge a log line) and shortens to `max` characters. */
function clip(text: string, max: number): string {
  const head = text.slice(0, max);
  // A surrogate pair cut in half leaves a lone surrogate (category Cs): it is escaped like the rest.
  const printable = head.replace(/[\p{C}\p{Zl}\p{Zp}]/gu, (ch) => `\\u{${(ch.codePointAt(0) ?? 0).toString(16)}}`);
  return head.length < text.length ? `${printable}…` : printable;
}
