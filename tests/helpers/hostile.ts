import fc from 'fast-check';

/**
 * Generated hostile input: commands and work messages that must be refused. Each case is the raw text a queue
 * would carry and the field its rejection must name — a key (`scope.taskIds`), `(root)` for a body that is not an
 * object, or `(body)` for text that is not JSON. Everything is derived from a valid message, so each case is wrong
 * in the way it says and in no other.
 */
export interface HostileCase {
  kind: string;
  body: string;
  /** The issue path the rejection must start with, or (for an unknown key) the key its message must quote. */
  field: string;
}

/** A valid command: every case below is this, broken one way. */
export const VALID_COMMAND = {
  action: 'pause',
  scope: { providers: ['ncp-object-migration'] },
  reason: 'hostile-input test',
  requestedBy: 'tests',
} as const;

/** A valid work message for the NCP work queue, broken one way by each work case. */
export function validWorkMessage(taskId = 'photos'): Record<string, unknown> {
  return {
    version: 1,
    command: { ...VALID_COMMAND, commandId: '00000000-0000-4000-8000-0000000000aa' },
    account: 'ncp-main',
    items: [
      {
        target: {
          provider: 'ncp-object-migration',
          account: 'ncp-main',
          taskId,
          name: taskId,
          stateBefore: 'STARTED',
          phaseBefore: 'running',
        },
        task: {
          provider: 'ncp-object-migration',
          account: 'ncp-main',
          taskId,
          name: taskId,
          state: 'STARTED',
          phase: 'running',
        },
      },
    ],
  };
}

/**
 * Task ids that must never reach a request path: separators and dot segments (raw, percent-encoded, double
 * encoded), query and fragment marks, control and zero-width characters, bidi overrides, lone surrogates, line
 * separators, and look-alikes (fullwidth solidus, division slash, fraction slash, two-dot leader).
 */
export const HOSTILE_TASK_IDS: readonly string[] = [
  'a/b',
  '/etc/passwd',
  '..',
  '.',
  '../policy/other',
  'ok/../../admin',
  '%2F',
  'a%2Fb',
  '%2e%2e',
  '%2E%2E%2Fadmin',
  '%252F',
  'a\\b',
  '..\\..\\windows',
  'a?b=1',
  'a#frag',
  'a\u0000b',
  'a\nb',
  'a\r\nHost: evil',
  'a\tb',
  'a\u007fb',
  'a\u0085b',
  'a\u200bb',
  'a\u200db',
  'a\u2060b',
  '\ufeffphotos',
  'a\u202eb',
  'a\u2028b',
  'a\u2029b',
  'a\ud800b',
  'a\udfffb',
  'a\uffffb',
  'a\ue000b',
  'a\uff0fb',
  'a\uff3cb',
  'a\u2215b',
  'a\u2044b',
  'a\u29f8b',
  '\u2025',
  '\uff0e\uff0e',
  '\u2024',
  ' photos',
  'photos ',
  '\u00a0photos',
  '',
  'x'.repeat(129),
];

/** Keys that, assigned carelessly, reach Object.prototype. */
const PROTO_KEYS = ['__proto__', 'constructor', 'prototype'] as const;

/** Unknown keys on a command that is otherwise valid: typos, look-alikes and keys that must never travel. */
const EXTRA_KEYS = [
  'secretKey',
  'priority',
  'Action',
  'action ',
  'аction',
  'scope\u200b',
  'callback',
  'exec',
  '$where',
  'k'.repeat(300_000),
] as const;

const COMMAND_FIELDS = ['action', 'scope', 'reason', 'requestedBy', 'source', 'until', 'commandId', 'dryRun', 'options'];
const REQUIRED_FIELDS = ['action', 'scope', 'reason'] as const;

/** Any JSON value that is not a string (so never a valid action, reason, id …) and not an object. */
const notAStringOrObject = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.oneof(fc.string({ maxLength: 5 }), fc.integer()), { maxLength: 3 }),
);

/** A string of `kilobytes` KB built from a short random unit (fast to generate, different every time). */
const hugeString = (minKb: number, maxKb: number) =>
  fc
    .tuple(fc.string({ minLength: 1, maxLength: 6, unit: 'grapheme' }), fc.integer({ min: minKb * 1024, max: maxKb * 1024 }))
    // Never blank: a reason of spaces would be trimmed to nothing and fail for another reason.
    .map(([unit, size]) => {
      const solid = unit.replace(/\s/gu, '') || 'y';
      return solid.repeat(Math.ceil(size / solid.length)).slice(0, size);
    });

const json = (value: unknown) => JSON.stringify(value);
/** The valid command with `key: value` spliced in as raw JSON text (so `__proto__` stays an own key). */
const withRawKey = (target: Record<string, unknown>, key: string, rawValue: string) => {
  const text = json(target);
  return `${text.slice(0, -1)},${json(key)}:${rawValue}}`;
};

/** The hostile ids that stay hostile inside a longer id (not the ones that are bad only alone or at an end). */
const HOSTILE_INSIDE = HOSTILE_TASK_IDS.filter((id) => !['.', '\u2024', '', ' photos', 'photos ', '\u00a0photos'].includes(id));

const hostileId = fc.oneof(
  fc.constantFrom(...HOSTILE_TASK_IDS),
  fc
    .tuple(fc.string({ maxLength: 8 }), fc.constantFrom(...HOSTILE_INSIDE), fc.string({ maxLength: 8 }))
    .map(([before, bad, after]) => `a${before}${bad}${after}z`),
);

/** How a rejection prints a key: invisible characters escaped (as lib/core/command.ts does). */
const printable = (text: string) =>
  text.replace(/[\p{C}\p{Zl}\p{Zp}]/gu, (ch) => `\\u{${(ch.codePointAt(0) ?? 0).toString(16)}}`);

/** Command cases, by kind. */
function commandCases(maxHugeKb: number): fc.Arbitrary<HostileCase>[] {
  return [
    fc
      .tuple(fc.constantFrom(...COMMAND_FIELDS), notAStringOrObject)
      .filter(([field, value]) => !(field === 'dryRun' && typeof value === 'boolean'))
      .map(([field, value]) => ({ kind: 'wrong type', body: json({ ...VALID_COMMAND, [field]: value }), field })),
    fc.constantFrom(...REQUIRED_FIELDS).map((field) => {
      const command: Record<string, unknown> = { ...VALID_COMMAND };
      delete command[field];
      return { kind: 'missing field', body: json(command), field };
    }),
    fc
      .tuple(fc.constantFrom('reason', 'requestedBy', 'source', 'action', 'commandId', 'until'), hugeString(1, maxHugeKb))
      .map(([field, text]) => ({ kind: 'huge string', body: json({ ...VALID_COMMAND, [field]: `x${text}` }), field })),
    hugeString(1, maxHugeKb).map((text) => ({
      kind: 'huge string',
      body: json({ ...VALID_COMMAND, scope: { namePattern: `a${text}` } }),
      field: 'scope.namePattern',
    })),
    fc.tuple(hostileId, fc.constantFrom('taskIds', 'exclude')).map(([id, where]) => ({
      kind: 'hostile task id',
      body: json({
        ...VALID_COMMAND,
        scope: where === 'taskIds' ? { taskIds: ['photos', id] } : { all: true, exclude: { taskIds: [id] } },
      }),
      field: where === 'taskIds' ? 'scope.taskIds.1' : 'scope.exclude.taskIds.0',
    })),
    fc
      .tuple(
        fc.constantFrom(...PROTO_KEYS),
        fc.constantFrom('root', 'scope', 'options', 'exclude'),
        fc.jsonValue({ maxDepth: 2 }),
      )
      .map(([key, where, value]) => {
        const raw = json(value) ?? 'null';
        const body =
          where === 'root'
            ? withRawKey({ ...VALID_COMMAND }, key, raw)
            : where === 'scope'
              ? `${json({ ...VALID_COMMAND, scope: undefined }).slice(0, -1)},"scope":${withRawKey({ all: true }, key, raw)}}`
              : where === 'options'
                ? `${json(VALID_COMMAND).slice(0, -1)},"options":${withRawKey({ force: false }, key, raw)}}`
                : `${json({ ...VALID_COMMAND, scope: undefined }).slice(0, -1)},"scope":{"all":true,"exclude":${withRawKey({ accounts: ['x'] }, key, raw)}}}`;
        return { kind: 'prototype key', body, field: key };
      }),
    fc.tuple(fc.integer({ min: 1_000, max: 20_000 }), fc.constantFrom('array', 'object', 'root')).map(([depth, shape]) => {
      if (shape === 'root') return { kind: 'deep nesting', body: `${'['.repeat(depth)}${']'.repeat(depth)}`, field: '(root)' };
      const nested =
        shape === 'array' ? `${'['.repeat(depth)}1${']'.repeat(depth)}` : `${'{"exclude":'.repeat(depth)}{}${'}'.repeat(depth)}`;
      return {
        kind: 'deep nesting',
        body: `${json({ ...VALID_COMMAND, scope: undefined }).slice(0, -1)},"scope":${nested}}`,
        field: 'scope',
      };
    }),
    fc
      .tuple(
        fc.integer({ min: 1, max: json(VALID_COMMAND).length - 1 }),
        fc.constantFrom('cut', 'quote', 'comma', 'nan', 'comment', 'bom'),
      )
      .map(([at, how]) => {
        const text = json(VALID_COMMAND);
        const body =
          how === 'cut'
            ? text.slice(0, at)
            : how === 'quote'
              ? text.replace(/"/g, "'")
              : how === 'comma'
                ? `${text.slice(0, -1)},}`
                : how === 'nan'
                  ? `${text.slice(0, -1)},"dryRun":NaN}`
                  : how === 'comment'
                    ? `// pause\n${text}`
                    : `\ufeff${text}`;
        return { kind: 'invalid JSON', body, field: '(body)' };
      }),
    fc
      .oneof(fc.constantFrom('null', 'true', '0', '"pause"', '[]', `[${json(VALID_COMMAND)}]`), notAStringOrObject.map(json))
      .map((body) => ({ kind: 'not an object', body, field: '(root)' })),
    fc.constantFrom('', ' ', '\n', '\t\r\n').map((body) => ({ kind: 'empty body', body, field: '(body)' })),
    fc.constant({ kind: 'empty object', body: '{}', field: 'action' }),
    fc
      .tuple(fc.constantFrom(...EXTRA_KEYS), fc.jsonValue({ maxDepth: 2 }), fc.constantFrom('root', 'scope', 'options'))
      .map(([key, value, where]) => {
        const body =
          where === 'root'
            ? json({ ...VALID_COMMAND, [key]: value })
            : where === 'scope'
              ? json({ ...VALID_COMMAND, scope: { ...VALID_COMMAND.scope, [key]: value } })
              : json({ ...VALID_COMMAND, options: { force: false, [key]: value } });
        return { kind: 'extra field', body, field: printable(key).slice(0, 40) };
      }),
    fc
      .constantFrom('stop', 'PAUSE', 'pause ', 'pаuse', 'resume\u200b', 'p a u s e', '')
      .map((action) => ({ kind: 'wrong enum', body: json({ ...VALID_COMMAND, action }), field: 'action' })),
    fc.constantFrom(['aws'], ['NCP'], ['huawei-drs', 'huawei-drs\u0000'], [], ['__proto__']).map((providers) => ({
      kind: 'wrong enum',
      body: json({ ...VALID_COMMAND, scope: { providers } }),
      field: 'scope.providers',
    })),
    fc.constantFrom(
      { kind: 'empty scope', body: json({ ...VALID_COMMAND, scope: {} }), field: 'scope' },
      { kind: 'all and more', body: json({ ...VALID_COMMAND, scope: { all: true, taskIds: ['photos'] } }), field: 'scope' },
      {
        kind: 'until on resume',
        body: json({ ...VALID_COMMAND, action: 'resume', until: '2030-01-01T00:00:00+09:00' }),
        field: 'until',
      },
      { kind: 'bad account', body: json({ ...VALID_COMMAND, scope: { accounts: ['../ncp-main'] } }), field: 'scope.accounts.0' },
      { kind: 'bad source', body: json({ ...VALID_COMMAND, source: 'INC-1\nforged: line' }), field: 'source' },
      { kind: 'bad uuid', body: json({ ...VALID_COMMAND, commandId: '../../00000000' }), field: 'commandId' },
      {
        kind: 'too many ids',
        body: json({ ...VALID_COMMAND, scope: { taskIds: Array.from({ length: 10_001 }, (_, i) => `t${i}`) } }),
        field: 'scope.taskIds',
      },
    ),
  ];
}

/** Work-message cases, by kind: the chunk a worker would execute, broken one way. */
function workCases(maxHugeKb: number): fc.Arbitrary<HostileCase>[] {
  const at = (taskIdField: 'target' | 'task') => `items.0.${taskIdField}.taskId`;
  return [
    fc.tuple(hostileId, fc.constantFrom('target', 'task') as fc.Arbitrary<'target' | 'task'>).map(([id, where]) => {
      const message = validWorkMessage();
      const item = (message.items as Record<string, Record<string, unknown>>[])[0];
      if (item) item[where] = { ...item[where], taskId: id };
      return { kind: 'hostile task id', body: json(message), field: at(where) };
    }),
    fc
      .tuple(fc.constantFrom('version', 'command', 'account', 'items', 'phase', 'handoff'), notAStringOrObject)
      .filter(
        ([field, value]) =>
          !(field === 'version' && value === 1) &&
          !(field === 'handoff' && Number.isInteger(value) && Number(value) >= 0 && Number(value) <= 100),
      )
      .map(([field, value]) => ({ kind: 'wrong type', body: json({ ...validWorkMessage(), [field]: value }), field })),
    fc.constantFrom('version', 'command', 'account', 'items').map((field) => {
      const message = validWorkMessage();
      delete message[field];
      return { kind: 'missing field', body: json(message), field };
    }),
    hugeString(2, maxHugeKb).map((text) => {
      const message = validWorkMessage();
      const item = (message.items as Record<string, Record<string, unknown>>[])[0];
      if (item) item.target = { ...item.target, name: `x${text}` };
      return { kind: 'huge string', body: json(message), field: 'items.0.target.name' };
    }),
    fc.constantFrom(...PROTO_KEYS).map((key) => ({
      kind: 'prototype key',
      body: withRawKey(validWorkMessage(), key, '{"polluted":true}'),
      field: key,
    })),
    fc.constant({ kind: 'no items', body: json({ ...validWorkMessage(), items: [] }), field: 'items' }),
    fc.constant({
      kind: 'bad command',
      body: json({ ...validWorkMessage(), command: { ...VALID_COMMAND, action: 'stop' } }),
      field: 'command.action',
    }),
  ];
}

/** Every hostile command case: `count` generated (deterministic for a seed) plus one per hostile task id. */
export function hostileCommands(options: { count?: number; seed?: number; maxHugeKb?: number } = {}): HostileCase[] {
  const { count = 520, seed = 6, maxHugeKb = 600 } = options;
  const fixed = HOSTILE_TASK_IDS.map((id) => ({
    kind: 'hostile task id',
    body: json({ ...VALID_COMMAND, scope: { taskIds: [id] } }),
    field: 'scope.taskIds.0',
  }));
  return [...fixed, ...fc.sample(fc.oneof(...commandCases(maxHugeKb)), { numRuns: count, seed })];
}

/** Every hostile work-message case (deterministic for a seed). */
export function hostileWorkMessages(options: { count?: number; seed?: number; maxHugeKb?: number } = {}): HostileCase[] {
  const { count = 200, seed = 7, maxHugeKb = 600 } = options;
  return fc.sample(fc.oneof(...workCases(maxHugeKb)), { numRuns: count, seed });
}

/** The arbitraries themselves, for fc.assert properties. */
export const hostileCommand = (maxHugeKb = 200) => fc.oneof(...commandCases(maxHugeKb));
export const hostileWorkMessage = (maxHugeKb = 200) => fc.oneof(...workCases(maxHugeKb));

/** Whether a rejection's issues name `field` (by path, or by quoting an unknown key in the message). */
export function namesField(issues: readonly { path: string; message: string }[], field: string): boolean {
  return issues.some((issue) => {
    const path = issue.path === '' ? '(root)' : issue.path;
    return path === field || path.startsWith(`${field}.`) || issue.message.includes(`"${field}`) || issue.message.includes(field);
  });
}

/**
 * Hostile but valid: names full of glob and regex characters, unicode ids a provider really has. They must be
 * accepted, and no request built from them may leave its path template.
 */
export const LEGAL_UNICODE_TASK_IDS = [
  '테스트',
  'café-backup',
  'naïve_db',
  '数据迁移',
  'photos.2026',
  'x(1)',
  "o'brien",
  'a+b',
  '🚀-launch',
];
export const REGEX_LOOKING_PATTERNS = [
  '(.*)+$',
  '[a-z]+',
  '^photos$',
  'photos|logs',
  '\\d{3}',
  '*\\*',
  'ph?tos',
  '*.2026',
  '테*',
];
