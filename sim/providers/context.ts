import type { Echo } from '../echo';
import type { Reply } from '../replies';
import type { TaskStore } from '../task-store';
import type { SimAccount } from '../types';

/** Everything a route needs to answer one authenticated request. */
export interface RouteContext {
  method: string;
  query: URLSearchParams;
  /** Raw query string as received (no '?'), to tell `limit=` from no limit at all. */
  rawQuery: string;
  headers: Record<string, string>;
  body: string;
  account: SimAccount;
  store: TaskStore;
  transitionMs: number;
  now: number;
  /** Quotes the account's credentials into free text when the scenario echoes (NO_ECHO otherwise). */
  echo: Echo;
}

/** A matched route: the ids it carries (decoded) and how to answer. */
export interface MatchedRoute {
  /** Huawei: the project id in the path, which must belong to the signing account. */
  projectId?: string;
  handle(context: RouteContext): Reply;
}

/** Query parameters outside `allowed` (the real APIs' documented lists), or undefined when all are known. */
export function unknownParameter(query: URLSearchParams, allowed: readonly string[]): string | undefined {
  for (const name of query.keys()) if (!allowed.includes(name)) return name;
  return undefined;
}

export type IntegerParse = { ok: true; value: number | undefined } | { ok: false };

/** An optional integer parameter within [min, max]: absent → undefined, anything else malformed → not ok. */
export function integerParameter(query: URLSearchParams, name: string, min: number, max: number): IntegerParse {
  const values = query.getAll(name);
  if (values.length === 0) return { ok: true, value: undefined };
  const [text] = values;
  if (values.length > 1 || text === undefined || !/^-?\d{1,15}$/.test(text)) return { ok: false };
  const value = Number(text);
  return value >= min && value <= max ? { ok: true, value } : { ok: false };
}

export type JsonBody = { ok: true; value: Record<string, unknown> } | { ok: false; why: string };

/** A JSON object body sent as application/json (Huawei services require the content type). */
export function jsonObjectBody(context: RouteContext): JsonBody {
  const type = context.headers['content-type'] ?? '';
  if (!/^application\/json(\s*;.*)?$/i.test(type)) return { ok: false, why: 'Content-Type must be application/json' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(context.body);
  } catch {
    return { ok: false, why: 'the request body is not valid JSON' };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    return { ok: false, why: 'the request body must be a JSON object' };
  return { ok: true, value: parsed as Record<string, unknown> };
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A stable fake timestamp per task, in the provider's own format chosen by the caller. */
export function fakeDate(order: number): Date {
  return new Date(Date.UTC(2024, 0, 1, 0, 0, 0) + order * 3_600_000);
}

export function consumeFailure(task: {
  failsAction?: { code: string; message: string };
}): { code: string; message: string } | undefined {
  const failure = task.failsAction;
  if (failure !== undefined) task.failsAction = undefined;
  return failure;
}
