import { describe, expect, it } from 'vitest';
import { startFleet } from '../helpers/fleet';
import { NCP_MAIN, ncpPolicy } from '../helpers/scenarios';

/**
 * Found by the soak: a pause the provider applied whose answer was lost (or whose worker died before recording it)
 * is sent again — by the HTTP client's retry, or by the delivery that takes the claim over. The provider refuses
 * the second one because the task is already paused; NCP says so with a plain 400 (code 100, bad-request). That
 * refusal must be read back like an invalid-state one: the task is paused by us, so its hold stays.
 */
describe('a pause whose response was lost after the provider applied it', () => {
  it('ends paused under a held hold, not failed with its hold removed', async () => {
    const fleet = await startFleet({ accounts: [NCP_MAIN], tasks: [ncpPolicy('photos', 'STARTED')], transitionMs: 0 });
    fleet.sim.inject({ kind: 'drop-after-apply', method: 'POST', pathIncludes: '/pause', times: 1 });

    const result = await fleet.run({ action: 'pause', source: 'window:business-hours' });

    expect(fleet.sim.applied).toHaveLength(1);
    expect(fleet.sim.task('ncp-object-migration', 'photos')?.state).toBe('PAUSED');
    expect(result.outcomes.map((o) => o.outcome)).toEqual(['paused']);
    expect(await fleet.ledger.pausedByUs()).toMatchObject([{ source: 'window:business-hours', status: 'held' }]);
    expect(fleet.failures.messages).toEqual([]);
  });
});
