import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import dynalite from 'dynalite';
import { build } from 'esbuild';

export type P5Ledger = 'memory' | 'file' | 'dynamodb';

/**
 * Each row runs with the heap a 256 MB Lambda would leave it: its peak RSS then says what the row needs, not how
 * lazily V8 collects garbage it is allowed to keep (without a limit, transient plan garbage alone inflates it).
 */
const HEAP_MB = 192;
const OUT_OF_MEMORY = 'out of memory';

/** A row that did not fit in the heap. */
export interface P5OutOfMemory {
  ledger: P5Ledger;
  targets: number;
  outOfMemory: true;
}

export interface P5Row {
  ledger: P5Ledger;
  targets: number;
  resumed: number;
  messages: number;
  largestMessage: number;
  planSeconds: number;
  executeSeconds: number;
  peakRssMB: number;
  ledgerItemsReadPerWorkMessage: { median: number; max: number };
  ledgerRequestsPerTarget: number;
  planRequests: number;
  failed: number;
}

/**
 * P5: the window resume of N held targets on each ledger, each row in its own process (peak RSS is that row's).
 * The DynamoDB-protocol server (dynalite, on 127.0.0.1) runs in this process, so its memory is not the row's.
 * The child runs as an esbuild bundle, as a deployed function does (Lambda runs bundles, not TypeScript through a
 * loader: tsx alone adds ~40 MB of RSS that no deployed function carries). The SDK is bundled in, so its memory
 * counts as it would when the Lambda runtime loads it.
 */
export async function runP5(
  sizes: readonly number[],
  ledgers: readonly P5Ledger[],
  log: (line: string) => void,
): Promise<(P5Row | P5OutOfMemory)[]> {
  const out = mkdtempSync(join(fileURLToPath(new URL('.', import.meta.url)), '.p5-'));
  const child = join(out, 'p5-child.mjs');
  await build({
    entryPoints: [fileURLToPath(new URL('./p5-child.ts', import.meta.url))],
    outfile: child,
    bundle: true,
    target: 'node20',
    platform: 'node',
    format: 'esm',
    banner: { js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);" },
    logLevel: 'silent',
  });
  try {
    return await runRows(child, sizes, ledgers, log);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

async function runRows(
  child: string,
  sizes: readonly number[],
  ledgers: readonly P5Ledger[],
  log: (line: string) => void,
): Promise<(P5Row | P5OutOfMemory)[]> {
  const rows: (P5Row | P5OutOfMemory)[] = [];
  for (const ledger of ledgers) {
    for (const size of sizes) {
      const server = ledger === 'dynamodb' ? await startDynalite() : undefined;
      try {
        const args = [`--max-old-space-size=${HEAP_MB}`, child, String(size), ledger, ...(server ? [server.endpoint] : [])];
        const output = await runChild(args);
        if (output === OUT_OF_MEMORY) {
          rows.push({ ledger, targets: size, outOfMemory: true });
          log(`${ledger.padEnd(9)} ${String(size).padStart(7)}  OUT OF MEMORY: needs more than a ${HEAP_MB} MB heap`);
          continue;
        }
        const row = JSON.parse(output) as P5Row;
        rows.push(row);
        log(
          `${ledger.padEnd(9)} ${String(size).padStart(7)}  plan ${row.planSeconds.toFixed(3)} s  execute ${row.executeSeconds.toFixed(1)} s  peak ${row.peakRssMB.toFixed(0)} MB  items/message median ${row.ledgerItemsReadPerWorkMessage.median} max ${row.ledgerItemsReadPerWorkMessage.max}  requests/target ${row.ledgerRequestsPerTarget.toFixed(2)}`,
        );
      } finally {
        await server?.close();
      }
    }
  }
  return rows;
}

function runChild(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    });
    let out = '';
    let err = '';
    proc.stdout.on('data', (d) => {
      out += d;
    });
    proc.stderr.on('data', (d) => {
      err += d;
    });
    proc.on('exit', (code) => {
      if (code === 0) resolve(out.trim().split('\n').at(-1) ?? '{}');
      else if (/heap out of memory|Allocation failed/.test(err)) resolve(OUT_OF_MEMORY);
      else reject(new Error(`P5 child ${args.slice(1).join(' ')} failed: ${err.slice(-2000)}`));
    });
  });
}

async function startDynalite(): Promise<{ endpoint: string; close: () => Promise<void> }> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
