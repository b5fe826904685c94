import { readFile, rename, writeFile } from 'node:fs/promises';
import type { Command } from '../lib/core/command';
import { planRedrive, type RedriveReport, type RedriveRequest, reportRedrive } from '../lib/core/redrive';
import type { Summary } from '../lib/core/types';

/** What a redrive of the local failures file did (the same shape as the remote one, plus each run's summary). */
export interface LocalRedriveResult extends RedriveReport {
  runs: Summary[];
}

/**
 * Turns the target failures in the local failures file (one JSON line each) back into commands and runs them here.
 * The lines they replace leave the file only after every command ran; failures of the runs themselves are appended
 * as usual. Commands get ids derived from the failures, so a redrive interrupted half-way and run again replays
 * what already ran (through the ledger) instead of calling a provider twice.
 */
export async function redriveLocal(
  failuresPath: string,
  request: RedriveRequest,
  run: (command: Command) => Promise<Summary>,
): Promise<LocalRedriveResult> {
  const before = await readLines(failuresPath);
  const received = before.slice(0, request.max).map((body, i) => ({ id: String(i), body }));
  const plan = planRedrive(received, request);
  const { moving, ...report } = reportRedrive(plan, received.length, request.dryRun);
  // Lines past `max` were not looked at, and stay in the file too.
  const result: LocalRedriveResult = { ...report, kept: before.length - moving.size, runs: [] };
  if (request.dryRun || moving.size === 0) return result;
  for (const { command } of plan.commands) result.runs.push(await run(command));
  // The runs appended their own failures after the lines read at the start: keep those, drop the moved ones.
  const after = await readLines(failuresPath);
  const kept = [...before.filter((_, i) => !moving.has(String(i))), ...after.slice(before.length)];
  const temporary = `${failuresPath}.redrive-${process.pid}`;
  await writeFile(temporary, kept.map((line) => `${line}\n`).join(''), 'utf8');
  await rename(temporary, failuresPath);
  return result;
}

async function readLines(path: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return text.split('\n').filter((line) => line.trim() !== '');
}
