/**
 * The benchmark (never part of `npm test`): P1 fan-out against the documented rate-limit floor, P2 the same fleet one
 * request at a time, P3 plan + dispatch scale, P4 bundle size and module-load time (and the SDK's own), P5 the window
 * resume of up to 100,000 held targets on each ledger; P1 adaptive the P1 fleet with the rates left to the adaptive
 * limiter against true limits the client cannot see.
 *
 *   node --import tsx bench/run.ts [--json] [--only p1,p2,p3,p4,p5,p1adaptive] [--p1-targets 10000] [--p2-fraction 0.05]
 *        [--p1adaptive-scenarios true20-default5,true2-default5,drop20to5,true20-default5-4workers]
 *        [--p3-sizes 1000,10000,100000] [--p4-runs 11] [--confirm-interval-ms N] [--chunks-per-account N]
 *        [--p5-sizes 1000,10000,100000] [--p5-ledgers memory,file,dynamodb]
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { PROVIDER_KEYS } from '../lib/providers/keys';
import { runP1 } from './p1';
import { P1_ADAPTIVE_SCENARIOS, type P1AdaptiveRow, runP1Adaptive } from './p1-adaptive';
import { runP2 } from './p2';
import { runP3 } from './p3';
import { runP4, runSdkFloor } from './p4';
import { type P5Ledger, type P5Row, runP5 } from './p5';

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    only: { type: 'string', default: 'p1,p2,p3,p4,p5' },
    'p1-targets': { type: 'string', default: '10000' },
    'p2-fraction': { type: 'string', default: '0.05' },
    'p3-sizes': { type: 'string', default: '1000,10000,100000' },
    'p4-runs': { type: 'string', default: '11' },
    'p5-sizes': { type: 'string', default: '1000,10000,100000' },
    'p5-ledgers': { type: 'string', default: 'memory,file,dynamodb' },
    'confirm-interval-ms': { type: 'string' },
    'chunks-per-account': { type: 'string' },
    'p1adaptive-scenarios': { type: 'string', default: P1_ADAPTIVE_SCENARIOS.map((s) => s.name).join(',') },
  },
});
const only = new Set(values.only.split(','));
const log = (line: string) => {
  if (!values.json) process.stdout.write(`${line}\n`);
  else process.stderr.write(`${line}\n`);
};
const f = (n: number, digits = 2) => n.toFixed(digits);
const PER_SECOND = 20;
const LATENCY_MS = 100;
const FULL_P1 = 10_000;

const report: Record<string, unknown> = {
  machine: {
    cpus: os.cpus().length,
    cpu: os.cpus()[0]?.model ?? '?',
    memGB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
  },
};

const m = report.machine as Record<string, unknown>;
log(`machine: ${m.cpus} × ${m.cpu}, ${m.memGB} GB, Node ${m.node}, ${m.platform}`);
const benchStarted = performance.now();

if (only.has('p1') || only.has('p2')) {
  const targets = Number(values['p1-targets']);
  const confirmInterval = values['confirm-interval-ms'];
  log(
    `P1: pausing ${targets} targets (${PROVIDER_KEYS.length} providers × 2 accounts, ${PER_SECOND} req/s each, ${LATENCY_MS} ms latency)…`,
  );
  const p1 = await runP1({
    targets,
    perSecond: PER_SECOND,
    latencyMs: LATENCY_MS,
    ...(confirmInterval ? { confirm: { intervalMs: Number(confirmInterval), deadlineMs: 180_000 } } : {}),
    ...(values['chunks-per-account'] ? { chunksPerAccount: Number(values['chunks-per-account']) } : {}),
  });
  const scaled = p1.targets < FULL_P1;
  report.p1 = {
    targets: p1.targets,
    scaledDown: scaled,
    seconds: p1.seconds,
    boundSeconds: p1.boundSeconds,
    ratio: p1.ratio,
    throttledShare: p1.throttledShare,
    lost: p1.lost,
    acting: p1.acting,
    requests: p1.requests,
    outcomes: p1.outcomes,
    accounts: p1.accounts,
    settings: p1.settings,
  };
  log(`\nP1 — fan-out${scaled ? ` (SCALED DOWN to ${p1.targets} targets; the bound is computed for that size)` : ''}`);
  log('account   provider               tasks acting  list pause confirm  bound-req  bound-s   made  thrtl  made/bound');
  for (const a of p1.accounts) {
    log(
      `${a.account.padEnd(9)} ${a.provider.padEnd(22)} ${String(a.tasks).padStart(5)} ${String(a.acting).padStart(6)} ${String(a.listRequests).padStart(5)} ${String(a.pauseRequests).padStart(5)} ${String(a.confirmRequests).padStart(7)} ${String(a.requests).padStart(10)} ${f(a.seconds, 1).padStart(8)} ${String(a.made).padStart(6)} ${String(a.throttled).padStart(6)} ${f(a.made / a.requests).padStart(11)}`,
    );
  }
  log(`targets ${p1.targets}  seconds ${f(p1.seconds)}  boundSeconds ${f(p1.boundSeconds)}  ratio ${f(p1.ratio)} (goal ≤ 1.10)`);
  log(
    `throttledShare ${f(p1.throttledShare, 4)} (goal ≤ 0.01)  lost ${p1.lost} (goal 0)  outcomes ${JSON.stringify(p1.outcomes)}`,
  );

  if (only.has('p2')) {
    const fraction = Number(values['p2-fraction']);
    log(`\nP2: the same fleet one request at a time, on ${fraction * 100}% of it…`);
    const p2 = await runP2({
      targets,
      fraction,
      perSecond: PER_SECOND,
      latencyMs: LATENCY_MS,
      fullFleet: p1.accounts,
      p1Seconds: p1.seconds,
    });
    const cap = p2.sequentialSeconds / p1.boundSeconds;
    report.p2 = { ...p2, cap };
    log(
      `P2 — sequential${p2.extrapolated ? ` (EXTRAPOLATED from ${p2.measuredTargets} tasks: ${p2.measuredRequests} requests in ${f(p2.measuredSeconds)} s = ${f(p2.secondsPerRequest * 1000, 1)} ms/request × ${p2.fullRequests} requests)` : ''}`,
    );
    log(`sequentialSeconds ${f(p2.sequentialSeconds, 1)}  speedup ${f(p2.speedup, 1)}×  cap (sequential ÷ bound) ${f(cap, 1)}×`);
  }
}

if (only.has('p3')) {
  const sizes = values['p3-sizes'].split(',').map(Number);
  log(`\nP3: plan + dispatch at ${sizes.join(' / ')} targets (fake in-memory adapters and work queue, inProcessLimit 0)…`);
  const rows = runP3(sizes);
  report.p3 = rows;
  log('targets   dispatched  messages   seconds  s/1k targets  peak RSS MB');
  for (const r of rows) {
    log(
      `${String(r.targets).padStart(7)} ${String(r.dispatched).padStart(12)} ${String(r.messages).padStart(9)} ${f(r.seconds, 3).padStart(9)} ${f(r.secondsPer1k, 4).padStart(13)} ${f(r.peakRssMB, 1).padStart(12)}`,
    );
  }
  log('goal: s/1k flat (linear time); RSS ≤ 256 MB at 100,000');
}

if (only.has('p4')) {
  const runs = Math.max(10, Number(values['p4-runs']));
  log(`\nP4: bundles (esbuild as serverless.yml) and module load over bare node, median of ${runs}…`);
  const rows = await runP4(runs);
  report.p4 = rows;
  log('function   bundle KB   load ms   with SDK ms   (import median / bare median)');
  for (const r of rows) {
    log(
      `${r.function.padEnd(10)} ${f(r.bundleKB, 1).padStart(9)} ${f(r.loadMs, 1).padStart(9)} ${f(r.withSdkMs, 1).padStart(13)}   (${f(r.importMedianMs, 1)} / ${f(r.bareMedianMs, 1)})  SDK at load: ${r.sdkAtLoad.join(', ') || 'none'}; on first use: ${r.sdkOnDemand.map((p) => p.replace('@aws-sdk/', '')).join(', ') || 'none'}${r.error ? `  ERROR: ${r.error}` : ''}`,
    );
  }
  log(
    'goal: ≤ 250 KB and ≤ 40 ms (load ms: the module and what it imports at load; with SDK ms adds every SDK package it may import on first use)',
  );
  const packages = [...new Set(rows.flatMap((r) => r.sdkOnDemand))].sort();
  const floor = runSdkFloor(packages, runs);
  report.p4sdk = floor;
  log(
    `the SDK alone, no code of ours (load ms over bare node): ${floor.map((r) => `${r.packages.replace('@aws-sdk/', '')} ${f(r.loadMs, 1)}`).join(' · ')}`,
  );
}

if (only.has('p5')) {
  const sizes = values['p5-sizes'].split(',').map(Number);
  const ledgers = values['p5-ledgers'].split(',') as P5Ledger[];
  log(`\nP5: window resume of ${sizes.join(' / ')} held targets on the ${ledgers.join(', ')} ledgers (fake adapters, no HTTP)…`);
  const rows = await runP5(sizes, ledgers, log);
  report.p5 = rows;
  for (const ledger of ledgers) {
    const of = (n: number) => rows.find((r): r is P5Row => r.ledger === ledger && r.targets === n && !('outOfMemory' in r));
    const [small, large] = [of(10_000), of(100_000)];
    if (small && large)
      log(`${ledger}: planSeconds 100k ÷ 10k = ${(large.planSeconds / small.planSeconds).toFixed(1)} (goal ≤ 12)`);
  }
  log(
    'goals: peak RSS ≤ 256 MB at 100k (each row runs with a 192 MB heap, as a 256 MB Lambda would); items read per work message max ≤ 2 × its targets; ledger requests per target ≤ 4',
  );
}

if (only.has('p1adaptive')) {
  const targets = Number(values['p1-targets']);
  const wanted = new Set(values['p1adaptive-scenarios'].split(','));
  const rows: P1AdaptiveRow[] = [];
  log(`\nP1 adaptive: ${targets} targets, no rate in the accounts file (start 5/s), true limits the client cannot see…`);
  for (const scenario of P1_ADAPTIVE_SCENARIOS.filter((s) => wanted.has(s.name))) {
    const row = await runP1Adaptive(targets, scenario);
    rows.push(row);
    log(
      `${row.scenario.padEnd(25)} true ${row.trueLimit}, ${row.workers} worker(s): ${f(row.seconds, 1)} s / T* ${f(row.boundSeconds, 1)} s = ratio ${f(row.ratio)} (goal ≤ ${row.goal.ratio})  throttledShare ${f(row.throttledShare, 4)} (goal ≤ ${row.goal.throttledShare})  lost ${row.lost}  ${JSON.stringify(row.outcomes)}`,
    );
    for (const a of row.accounts) {
      log(
        `  ${a.account.padEnd(9)} bound ${String(a.boundRequests).padStart(5)} req ${f(a.boundSeconds, 1).padStart(7)} s  made ${String(a.made).padStart(5)}  throttled ${String(a.throttled).padStart(4)}  last request at ${f(a.lastAt, 1)} s`,
      );
    }
  }
  report.p1adaptive = rows;
}

report.benchSeconds = (performance.now() - benchStarted) / 1000;
log(`\nbench run time ${f(report.benchSeconds as number, 1)} s`);
if (values.json) process.stdout.write(`${JSON.stringify(report)}\n`);
