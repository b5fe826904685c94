/**
 * A line every few seconds while something slow runs (a remote invoke can take minutes): the operator sees it
 * is alive and which command to follow. On stderr, so --json stdout stays one object.
 */
export function startHeartbeat(say: (line: string) => void, everyMs: number, what: () => string): { stop(): void } {
  const started = Date.now();
  const timer = setInterval(
    () => say(`… ${what()}: still running after ${Math.round((Date.now() - started) / 1000)} s`),
    everyMs,
  );
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

/** How often: $MIGRATION_PAUSER_HEARTBEAT_SECONDS (default 10). */
export function heartbeatMs(env: Record<string, string | undefined>): number {
  const seconds = Number(env.MIGRATION_PAUSER_HEARTBEAT_SECONDS);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 10_000;
}
