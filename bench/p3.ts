import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface P3Row {
  targets: number;
  dispatched: number;
  messages: number;
  messageBytes: number;
  seconds: number;
  peakRssMB: number;
  /** seconds per 1,000 targets: flat when time grows linearly. */
  secondsPer1k: number;
}

/** Each size in its own process, so peak RSS belongs to that size alone. */
export function runP3(sizes: readonly number[]): P3Row[] {
  const child = fileURLToPath(new URL('./p3-child.ts', import.meta.url));
  return sizes.map((size) => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', child, String(size)], { encoding: 'utf8', maxBuffer: 1 << 20 });
    if (run.status !== 0) throw new Error(`P3 at ${size} targets failed: ${run.stderr.slice(0, 2000)}`);
    const row = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}') as Omit<P3Row, 'secondsPer1k'>;
    return { ...row, secondsPer1k: row.seconds / (row.targets / 1000) };
  });
}
