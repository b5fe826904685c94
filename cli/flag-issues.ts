import type { FieldIssue } from '../lib/core/errors';

/** The Command's fields, as the flags that set them: a rejection is said in the words the operator typed. */
const FLAG_OF_FIELD: Record<string, string> = {
  'scope.all': '--all',
  'scope.providers': '--provider',
  'scope.accounts': '--account',
  'scope.taskIds': '--task',
  'scope.namePattern': '--name',
  'scope.exclude.providers': '--exclude-provider',
  'scope.exclude.accounts': '--exclude-account',
  'scope.exclude.taskIds': '--exclude-task',
  'scope.exclude.namePattern': '--exclude-name',
  reason: '--reason',
  source: '--source',
  until: '--until',
  commandId: '--command-id',
  requestedBy: '--requested-by',
  'options.huawei-drs.pauseMode': '--pause-mode',
  'options.huawei-oms.migrateFailedObject': '--migrate-failed-objects',
  'options.allowIrreversible': '--allow-irreversible',
  'options.force': '--force',
};

/**
 * Schema issues (`scope.taskIds.0: must not contain ..`) as flag words (`--task "../etc": must not contain ..`):
 * the field becomes its flag, an index the value given there. A field no flag sets keeps its path.
 */
export function inFlagWords(issues: readonly FieldIssue[], input: unknown): FieldIssue[] {
  return issues.map((issue) => {
    const segments = issue.path.split('.');
    const last = segments.at(-1) ?? '';
    const indexed = /^\d+$/.test(last);
    const field = (indexed ? segments.slice(0, -1) : segments).join('.');
    const flag = FLAG_OF_FIELD[field];
    if (!flag) return issue;
    const value = indexed ? valueAt(input, segments) : undefined;
    return { path: typeof value === 'string' ? `${flag} "${value}"` : flag, message: issue.message };
  });
}

function valueAt(input: unknown, path: readonly string[]): unknown {
  let here: unknown = input;
  for (const segment of path) {
    if (typeof here !== 'object' || here === null) return undefined;
    here = Object.getOwnPropertyDescriptor(here, segment)?.value;
  }
  return here;
}
