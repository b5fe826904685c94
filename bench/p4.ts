import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

export interface P4Row {
  function: string;
  bundleKB: number;
  loadMs: number;
  /** Median wall time of `node` importing the bundle, and of bare `node -e 0`, interleaved runs. */
  importMedianMs: number;
  bareMedianMs: number;
  runs: number;
  /** `@aws-sdk/*` packages the bundle imports at load (statically); the rest it loads with import() when used. */
  sdkAtLoad: string[];
  /** `@aws-sdk/*` packages the bundle may load with import() on first use (a first invocation loads those it needs). */
  sdkOnDemand: string[];
  /**
   * The module and every SDK package it may load on demand, over bare node: the most a cold start pays in module
   * loading before and during its first invocation. loadMs is what Lambda's init phase pays.
   */
  withSdkMs: number;
  error?: string;
}

const root = fileURLToPath(new URL('..', import.meta.url));

/** The esbuild options of serverless.yml `custom.esbuild` (the package.json marker plugin aside: .mjs instead). */
async function bundle(entry: string, outfile: string): Promise<void> {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    minify: true,
    keepNames: true,
    sourcemap: false,
    target: 'node20',
    platform: 'node',
    format: 'esm',
    external: ['@aws-sdk/*'],
    banner: { js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);" },
    logLevel: 'silent',
  });
}

function wallMs(args: string[], env: NodeJS.ProcessEnv): { ms: number; error?: string } {
  const started = process.hrtime.bigint();
  const run = spawnSync(process.execPath, args, { env, encoding: 'utf8', cwd: root });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  return run.status === 0 ? { ms } : { ms, error: run.stderr.trim().split('\n').slice(0, 3).join(' | ') };
}

/** Module code that imports each package in turn, as a function's first invocation would. */
const importEach = (packages: readonly string[]) => `for (const p of ${JSON.stringify(packages)}) await import(p);`;

const packagesMatching = (text: string, pattern: RegExp): string[] =>
  [...new Set([...text.matchAll(pattern)].map((m) => m[1] ?? ''))].sort();

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
};

/**
 * Median wall time of `node` with each of `variants` (argument lists) and of bare `node -e 0`, over `runs` rounds
 * that interleave them all, after one warm-up run of each (the file cache); the first error a variant printed.
 */
function medianMsOverBare(
  variants: readonly string[][],
  runs: number,
  env: NodeJS.ProcessEnv,
): { bareMedianMs: number; medianMs: number[]; error?: string } {
  for (const args of variants) wallMs(args, env);
  const bare: number[] = [];
  const times = variants.map(() => [] as number[]);
  let error: string | undefined;
  for (let i = 0; i < runs; i++) {
    bare.push(wallMs(['-e', '0'], env).ms);
    for (const [n, args] of variants.entries()) {
      const run = wallMs(args, env);
      error ??= run.error;
      times[n]?.push(run.ms);
    }
  }
  return { bareMedianMs: median(bare), medianMs: times.map(median), ...(error ? { error } : {}) };
}

export async function runP4(runs: number): Promise<P4Row[]> {
  const out = join(root, 'bench', '.out');
  mkdirSync(out, { recursive: true });
  const functionsDir = join(root, 'functions');
  const entries = readdirSync(functionsDir).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'));
  // The handlers read their stage's accounts file and AWS settings lazily; give them harmless values anyway.
  const env = {
    ...process.env,
    MP_ACCOUNTS_FILE: join(root, 'config', 'accounts.ci.json'),
    AWS_REGION: 'ap-northeast-2',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  const rows: P4Row[] = [];
  for (const file of entries) {
    const name = basename(file, '.ts');
    const outfile = join(out, `${name}.mjs`);
    await bundle(join(functionsDir, file), outfile);
    const text = readFileSync(outfile, 'utf8');
    const sdkAtLoad = packagesMatching(text, /(?:from|import)\s*"(@aws-sdk\/[^"]+)"/g);
    const sdkOnDemand = packagesMatching(text, /import\("(@aws-sdk\/[^"]+)"\)/g);
    const moduleUrl = JSON.stringify(pathToFileURL(outfile).href);
    const importArgs = ['--input-type=module', '-e', `await import(${moduleUrl})`];
    const withSdkArgs = ['--input-type=module', '-e', `await import(${moduleUrl}); ${importEach(sdkOnDemand)}`];
    const timed = medianMsOverBare([importArgs, withSdkArgs], runs, env);
    const [importMedianMs = 0, withSdkMedianMs = 0] = timed.medianMs;
    const { bareMedianMs, error } = timed;
    rows.push({
      function: name,
      bundleKB: statSync(outfile).size / 1024,
      loadMs: importMedianMs - bareMedianMs,
      importMedianMs,
      bareMedianMs,
      runs,
      sdkAtLoad,
      sdkOnDemand,
      withSdkMs: withSdkMedianMs - bareMedianMs,
      ...(error ? { error } : {}),
    });
  }
  // Generated bundles would otherwise be linted and formatted with the sources.
  rmSync(out, { recursive: true, force: true });
  return rows;
}

export interface SdkFloorRow {
  /** One SDK package, or `all` of those the functions may load. */
  packages: string;
  loadMs: number;
}

/**
 * The SDK's own load time, with no code of ours: each `@aws-sdk/*` package the functions may load, alone and all
 * together, imported from node_modules over bare `node -e 0`, interleaved, median of `runs`. It is the floor
 * under any function's first invocation that uses that client.
 */
export function runSdkFloor(packages: readonly string[], runs: number): SdkFloorRow[] {
  const env = { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
  const sets = [...packages.map((p) => [p]), [...packages]];
  const args = (set: string[]) => ['--input-type=module', '-e', importEach(set)];
  const { medianMs, bareMedianMs } = medianMsOverBare(sets.map(args), runs, env);
  return sets.map((set, n) => ({
    packages: set.length === 1 ? (set[0] ?? '') : 'all',
    loadMs: (medianMs[n] ?? 0) - bareMedianMs,
  }));
}
