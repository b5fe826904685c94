/**
 * Whether a raw path has a segment that escapes its template: a segment that is or decodes to something
 * containing '/', '\\', '..' or a control character, or that cannot be decoded at all. Such a request means
 * the client put an unescaped or hostile id into a path.
 */
export function escapesTemplate(rawPath: string): boolean {
  const path = rawPath.split('?')[0] ?? '';
  return path
    .split('/')
    .slice(1)
    .some((segment) => {
      let decoded: string;
      try {
        decoded = decodeURIComponent(segment);
      } catch {
        return true;
      }
      // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what we look for
      return decoded === '.' || decoded.includes('..') || /[/\\\u0000-\u001f\u007f]/.test(decoded);
    });
}

/** Decodes one path segment (UTF-8), or undefined when it is not valid percent-encoding. */
export function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

const ACTIONS_AFTER_ID: Record<string, readonly string[]> = {
  policy: ['pause', 'start'],
  tasks: ['stop', 'start'],
  'migration-task': ['stop'],
};
const HUAWEI_COLLECTIONS = new Set(['tasks', 'jobs', 'migration-task', 'migration-tasks']);

/**
 * For a path no route matched: whether an id holding a raw '/' split into extra segments — more segments
 * after an id than its template allows, or a project id that pushed the collection name further along.
 */
export function splitsIdSegment(method: string, rawPath: string): boolean {
  const segments = (rawPath.split('?')[0] ?? '').split('/').slice(1);
  const fitsIdTemplate = (collectionAt: number) => {
    const collection = segments[collectionAt] ?? '';
    const actions = ACTIONS_AFTER_ID[collection];
    if (actions === undefined) return true;
    const after = segments.slice(collectionAt + 2);
    // GET reads the id itself; only POST may add an action after it.
    if (method !== 'POST') return after.length === 0;
    return after.length === 1 && actions.includes(after[0] ?? '');
  };
  if (segments[0] === 'migration-api') return segments[2] === 'policy' && !fitsIdTemplate(2);
  if (segments[0] !== 'v2' && segments[0] !== 'v3') return false;
  const collectionAt = segments.findIndex((segment, index) => index >= 2 && HUAWEI_COLLECTIONS.has(segment));
  if (collectionAt > 2) return true;
  return collectionAt === 2 && !fitsIdTemplate(2);
}
