import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { ConstructorOptions } from '@aws-lambda-powertools/logger/types';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy, { type MiddyfiedHandler } from '@middy/core';
import type { Context } from 'aws-lambda';
import { redactingReplacer } from '../core/redaction';
import type { Summary } from '../core/types';
import type { ProviderKey } from '../providers/types';

export const SERVICE_NAME = 'migration-pauser';
export const METRICS_NAMESPACE = 'MigrationPauser';

/** The one logger and one metrics object of a function; tests pass quiet ones. */
export interface Observability {
  logger: Logger;
  metrics: Metrics;
}

export function createObservability(options: Partial<Observability> = {}): Observability {
  return {
    logger: options.logger ?? createLogger(),
    metrics: options.metrics ?? new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME }),
  };
}

/**
 * The functions' logger. Every line passes through `redactingReplacer` (Powertools' `jsonReplacerFn`, applied to
 * each key and value of the line, error fields included): credential keys, Authorization-like text and secret
 * values this process has read come out as [REDACTED], whoever logged them.
 */
export function createLogger(options: { logLevel?: ConstructorOptions['logLevel'] } = {}): Logger {
  return new Logger({ serviceName: SERVICE_NAME, logLevel: options.logLevel, jsonReplacerFn: redactingReplacer });
}

/**
 * The middleware chain every function shares: Lambda context in each log line (and the per-invocation keys,
 * such as the command id, dropped afterwards), EMF metrics flushed at the end. The event itself is never
 * logged: commands are harmless, but nothing here should get into the habit.
 */
export function lambdaHandler<TEvent, TResult>(
  handler: (event: TEvent, context: Context) => Promise<TResult>,
  { logger, metrics }: Observability,
): MiddyfiedHandler<TEvent, TResult> {
  return middy<TEvent, TResult>(handler)
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics, { captureColdStartMetric: true }));
}

/** Runs `work` with the command id as the correlation id of every log line it writes. */
export async function withCommandId<T>(logger: Logger, commandId: string, work: () => Promise<T>): Promise<T> {
  logger.setCorrelationId(commandId);
  logger.appendKeys({ commandId });
  try {
    return await work();
  } finally {
    logger.removeKeys(['commandId', 'correlation_id']);
  }
}

/** One count per outcome kind and provider (`target-paused`, dimension provider=huawei-drs). */
export function recordSummaryMetrics(metrics: Metrics, summary: Pick<Summary, 'byProvider' | 'accountFailures'>): void {
  for (const [provider, counts] of Object.entries(summary.byProvider) as [ProviderKey, Record<string, number>][]) {
    for (const [kind, count] of Object.entries(counts)) addProviderCount(metrics, provider, `target-${kind}`, count);
  }
  for (const failure of summary.accountFailures) addProviderCount(metrics, failure.provider, 'account-failed', 1);
}

/** Outcomes of a worker's chunk, counted the same way as a summary. */
export function recordOutcomeMetrics(
  metrics: Metrics,
  outcomes: readonly { target: { provider: ProviderKey }; outcome: string }[],
): void {
  const byProvider: Summary['byProvider'] = {};
  for (const { target, outcome } of outcomes) {
    const counts: Record<string, number> = byProvider[target.provider] ?? {};
    counts[outcome] = (counts[outcome] ?? 0) + 1;
    byProvider[target.provider] = counts;
  }
  recordSummaryMetrics(metrics, { byProvider, accountFailures: [] });
}

export function countMetric(metrics: Metrics, name: string, value = 1): void {
  metrics.addMetric(name, MetricUnit.Count, value);
}

// Dimensions belong to a whole EMF blob, so each provider's count is its own single-metric blob.
function addProviderCount(metrics: Metrics, provider: ProviderKey, name: string, value: number): void {
  const single = metrics.singleMetric();
  single.addDimension('provider', provider);
  single.addMetric(name, MetricUnit.Count, value);
}

/** What every handler factory accepts, so tests build handlers from injected parts instead of mocking modules. */
export interface HandlerOptions<TRuntime> {
  /** The container's runtime (default: built from the environment, once). */
  runtime?: () => Promise<TRuntime>;
  observability?: Partial<Observability>;
  now?: () => Date;
}
