import { describe, expect, it } from 'vitest';
import { InvariantError } from '../../../lib/core/errors';
import { assertOneOutcomePerTarget, hasFailures, summarize } from '../../../lib/core/outcome';
import type { Plan } from '../../../lib/core/types';
import { aCommand, anOutcome, aTarget, aTask } from '../../helpers/factories';

const command = aCommand();
const a = aTarget({ taskId: 'a' });
const b = aTarget({ taskId: 'b', provider: 'huawei-drs', account: 'drs' });
const plan: Plan = {
  command,
  accountFailures: [],
  targets: [
    { target: a, decision: { kind: 'act', task: aTask({ taskId: 'a' }) } },
    { target: b, decision: { kind: 'settled', outcome: 'already-paused', reason: 'PAUSING' } },
  ],
};
const t0 = new Date('2026-11-28T00:00:00Z');
const t1 = new Date('2026-11-28T00:00:02.5Z');

describe('summarize', () => {
  it('counts outcomes per provider and in total', () => {
    const summary = summarize(
      command,
      plan,
      [anOutcome({ target: a, outcome: 'failed' }), anOutcome({ target: b, outcome: 'already-paused' })],
      t0,
      t1,
    );

    expect(summary.byProvider).toEqual({ 'ncp-object-migration': { failed: 1 }, 'huawei-drs': { 'already-paused': 1 } });
    expect(summary.totals).toEqual({ failed: 1, 'already-paused': 1 });
    expect(summary.seconds).toBe(2.5);
    expect(hasFailures(summary)).toBe(true);
  });

  it('counts what a dry run would act on as planned', () => {
    expect(summarize(command, plan, undefined, t0, t1).totals).toEqual({ planned: 1, 'already-paused': 1 });
  });
});

describe('assertOneOutcomePerTarget', () => {
  it('passes when every target has exactly one outcome', () => {
    expect(() => assertOneOutcomePerTarget(plan, [anOutcome({ target: b }), anOutcome({ target: a })])).not.toThrow();
  });

  it.each([
    ['a lost target', [anOutcome({ target: a })]],
    ['a duplicate', [anOutcome({ target: a }), anOutcome({ target: a }), anOutcome({ target: b })]],
    ['a stray', [anOutcome({ target: a }), anOutcome({ target: b }), anOutcome({ target: aTarget({ taskId: 'zz' }) })]],
  ])('throws on %s', (_, outcomes) => {
    expect(() => assertOneOutcomePerTarget(plan, outcomes)).toThrow(InvariantError);
  });
});
