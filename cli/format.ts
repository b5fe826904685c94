import type { AccountSessions } from '../lib/core/sessions';
import { OUTCOMES, type RunResult, type Summary } from '../lib/core/types';

const COLUMNS = ['planned', ...OUTCOMES] as const;

/** The run summary as a table: one row per provider, one column per outcome that occurred. */
export function formatSummary(summary: Summary): string {
  const used = COLUMNS.filter((c) => (summary.totals[c] ?? 0) > 0);
  const header = ['provider', ...used];
  const rows = Object.entries(summary.byProvider)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([provider, counts]) => [provider, ...used.map((c) => String(counts?.[c] ?? 0))]);
  rows.push(['total', ...used.map((c) => String(summary.totals[c] ?? 0))]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  const title = `${summary.dryRun ? 'plan' : summary.action} ${summary.commandId}: ${summary.targets} targets in ${summary.seconds}s`;
  const out = [title, line(header), ...rows.map(line)];
  for (const f of summary.accountFailures) {
    out.push(`account ${f.account} (${f.provider}) could not be listed: ${f.errorClass}: ${f.reason}`);
  }
  return out.join('\n');
}

/** The failed targets, one line each, with what went wrong. */
export function formatFailures(result: RunResult, limit = 20): string {
  const failed = result.outcomes.filter((o) => o.outcome === 'failed');
  if (failed.length === 0) return '';
  const lines = failed
    .slice(0, limit)
    .map(
      (o) =>
        `  ${o.target.provider}/${o.target.account}/${o.target.taskId}: ${o.errorClass}${o.providerCode ? ` ${o.providerCode}` : ''}: ${o.reason}`,
    );
  if (failed.length > limit) lines.push(`  … and ${failed.length - limit} more (every failure is in the failures queue)`);
  return ['failed:', ...lines].join('\n');
}

/** For `plan`: what kind of pause each provider in the plan gets. */
export function formatPauseKinds(result: RunResult, sessions: AccountSessions): string {
  const seen = new Map<string, string>();
  for (const handle of sessions.all()) {
    if (result.plan.targets.some((t) => t.target.account === handle.config.name)) {
      seen.set(handle.config.provider, handle.capabilities.describe);
    }
  }
  return [...seen.values()].map((d) => `  ${d}`).join('\n');
}
