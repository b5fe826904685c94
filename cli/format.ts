import type { AccountConfig } from '../lib/config';
import { type HistoryEntry, holdStatus, type PauseRecord } from '../lib/core/ledger';
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
    out.push(
      f.unreachable
        ? `account ${f.account} (${f.provider}) could not be reached at ${f.unreachable.endpoint} (${f.unreachable.code})`
        : `account ${f.account} (${f.provider}) could not be listed: ${f.errorClass}: ${f.reason}`,
    );
  }
  return out.join('\n');
}

/** The failed targets, one line each, with what went wrong. */
/**
 * A resume's targets that it did not resume and that stay paused (unsupported, or skipped: still held elsewhere,
 * not resumable in their state): named, since the operator expected them running.
 */
export function formatNotResumed(result: RunResult, limit = 20): string {
  if (result.summary.action !== 'resume' || result.summary.dryRun) return '';
  const left = result.outcomes.filter((o) => o.outcome === 'unsupported' || o.outcome === 'skipped');
  if (left.length === 0) return '';
  const lines = left
    .slice(0, limit)
    .map((o) => `  ${o.target.provider}/${o.target.account}/${o.target.taskId}: ${o.outcome}: ${o.reason ?? ''}`);
  if (left.length > limit) lines.push(`  … and ${left.length - limit} more (history --command ${result.summary.commandId})`);
  return ['not resumed:', ...lines].join('\n');
}

/** For `plan pause` with irreversible stops allowed: the tasks the pause would stop for good. */
export function formatIrreversible(result: RunResult): string {
  const forGood = result.plan.targets.filter((t) => t.decision.kind === 'act' && t.target.resumeUnsupportedReason);
  if (forGood.length === 0) return '';
  return [
    'cannot be resumed (stopped for good if you pause):',
    ...forGood.map((t) => `  ${t.target.provider}/${t.target.account}/${t.target.taskId}: ${t.target.resumeUnsupportedReason}`),
  ].join('\n');
}

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

/**
 * `status`: holds grouped by source and provider, with counts, the oldest pause, any expiry, and how many are
 * unconfirmed (written before the provider was asked; not yet seen paused).
 */
export function formatHolds(holds: readonly PauseRecord[], now: Date): string {
  const groups = new Map<string, PauseRecord[]>();
  for (const h of holds) {
    const key = `${h.source}\u0000${h.target.provider}`;
    groups.set(key, [...(groups.get(key) ?? []), h]);
  }
  const rows = [...groups.values()]
    .map((g) => {
      const first = g[0];
      const oldest = g.map((h) => h.pausedAt).sort()[0] ?? '';
      const until = first?.until ? `${first.until}${Date.parse(first.until) <= now.getTime() ? ' (expired)' : ''}` : '-';
      const unconfirmed = g.filter((h) => holdStatus(h) === 'pending').length;
      return [first?.source ?? '', first?.target.provider ?? '', String(g.length), String(unconfirmed), oldest, until];
    })
    .sort((a, b) => (a[0] ?? '').localeCompare(b[0] ?? '') || (a[1] ?? '').localeCompare(b[1] ?? ''));
  const lines = [table(['source', 'provider', 'targets', 'unconfirmed', 'paused since', 'until'], rows)];
  const pending = holds.filter((h) => holdStatus(h) === 'pending');
  if (pending.length) {
    lines.push(
      '',
      `${pending.length} hold(s) are unconfirmed: the pause was asked for, but its ending is not known (a crash, a lost response, a deadline). They count as holds, so nothing resumes those tasks behind their back; the next command on a task, status (when it can reach the provider) and the sweep settle them: paused ⇒ held, running ⇒ removed.`,
    );
    for (const h of pending.slice(0, 20))
      lines.push(`  unconfirmed  ${h.key}  ${h.source}  since ${h.pausedAt}  (command ${h.commandId})`);
    if (pending.length > 20) lines.push(`  … and ${pending.length - 20} more (status --json lists them all)`);
  }
  const forGood = holds.filter((h) => h.target.resumeUnsupportedReason !== undefined);
  if (forGood.length) {
    lines.push(
      '',
      `${forGood.length} hold(s) can never be resumed: the provider cannot restart those tasks (they were stopped with irreversible stops allowed). Restart them by hand, then end the hold with: migration-pauser release --task KEY --source SOURCE --reason TEXT`,
    );
    for (const h of forGood.slice(0, 20))
      lines.push(`  never resumable  ${h.key}  ${h.source}  (${h.target.resumeUnsupportedReason})`);
    if (forGood.length > 20) lines.push(`  … and ${forGood.length - 20} more (status --json lists them all)`);
  }
  return lines.join('\n');
}

/** `history --task`: the holds on that task now, pending ones marked unconfirmed. */
export function formatTaskHolds(holds: readonly PauseRecord[]): string {
  if (holds.length === 0) return 'held now by: nobody';
  const rows = holds.map((h) => [
    h.source,
    holdStatus(h) === 'pending' ? 'unconfirmed' : 'held',
    h.pausedAt,
    h.until ?? '-',
    h.commandId,
    h.sentBy ? `${h.requestedBy} (sent by ${h.sentBy})` : h.requestedBy,
  ]);
  return `held now by:\n${table(['source', 'hold', 'since', 'until', 'command', 'requested by'], rows)}`;
}

/** `history`: one line per recorded outcome, oldest first. */
export function formatHistory(entries: readonly HistoryEntry[]): string {
  const rows = entries.map(({ commandId, outcome: o }) => [
    o.finishedAt,
    `${o.target.provider}/${o.target.account}/${o.target.taskId}`,
    o.target.name,
    o.outcome,
    o.errorClass ? `${o.errorClass}${o.providerCode ? ` ${o.providerCode}` : ''}` : '-',
    commandId,
    o.reason ?? '',
  ]);
  return table(['when', 'target', 'name', 'outcome', 'error', 'command', 'why'], rows);
}

/** Columns padded to their widest cell, two spaces apart. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** What a redrive looked at, moved and kept, and the commands it made. */
export function formatRedrive(
  result: {
    dryRun: boolean;
    received: number;
    moved: number;
    kept: number;
    commands: readonly { commandId: string; action: string; accounts: readonly string[]; taskIds: number; reason: string }[];
  },
  from: string,
): string {
  const verb = result.dryRun ? 'would move' : 'moved';
  const out = [
    `redrive${result.dryRun ? ' (dry run: nothing sent, nothing removed)' : ''} from ${from}: ${result.received} failures looked at, ${verb} ${result.moved} into ${result.commands.length} commands, ${result.kept} kept`,
  ];
  if (result.commands.length > 0) {
    out.push(
      table(
        ['command', 'action', 'account', 'tasks', 'why'],
        result.commands.map((c) => [c.commandId, c.action, c.accounts.join(','), String(c.taskIds), c.reason]),
      ),
    );
  }
  if (result.received === 0) out.push('no failures to redrive');
  return out.join('\n');
}

/**
 * What to do next after a run, in commands: fix the keys of an account the provider refused, redrive failed
 * targets. `local`/`remote` are the flags that point the suggested commands at the same state or stage.
 */
export function nextSteps(
  summary: Summary,
  context: { accounts?: readonly AccountConfig[]; local?: string; remote?: string },
): string {
  const steps: string[] = [];
  for (const failure of summary.accountFailures) {
    if (failure.unreachable) {
      const { endpoint } = failure.unreachable;
      steps.push(
        `account ${failure.account}: nothing answered at ${endpoint} — check the endpoint in the accounts file${context.remote ? ' of the stage' : ''}, that this machine reaches it (VPN, proxy, firewall; curl -sS ${endpoint}), and the provider's status page; then run the same command again`,
      );
      continue;
    }
    if (failure.errorClass !== 'auth' || failure.reason.includes(' — ')) continue;
    const account = context.accounts?.find((a) => a.name === failure.account);
    const secret = account?.secret;
    steps.push(
      account !== undefined && secret === undefined
        ? // No secret: the credentials come from the environment (AWS DMS: the default chain, and its role).
          `account ${failure.account}: the provider refused its credentials — check the identity this runs as${account.roleArn ? `, and that it may assume ${account.roleArn}${account.externalId ? ' with the account’s externalId' : ''}` : ''}, then run the same command again`
        : `account ${failure.account}: the provider refused its keys — put the account's current keys in its secret${secret ? ` ${secret}` : ''}, then run the same command again`,
    );
  }
  if ((summary.totals.failed ?? 0) > 0) {
    const flags = context.remote ?? context.local ?? '';
    steps.push(
      `${summary.totals.failed} targets failed — see why with migration-pauser history --command ${summary.commandId}${flags}, then run them again with migration-pauser redrive --command ${summary.commandId}${flags} --dry-run (and again without --dry-run)`,
    );
  }
  return steps.length ? `next:\n${steps.map((s) => `  ${s}`).join('\n')}` : '';
}
