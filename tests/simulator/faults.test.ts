import { describe, expect, it } from 'vitest';
import { accounts, simWith } from './fixtures';
import { call } from './sign';

const photos = { provider: 'ncp-object-migration' as const, account: 'ncp-main', id: 'photos', name: 'photos', state: 'STARTED' };

describe('the simulated faults', () => {
  it('drop-after-apply: the pause is applied, the connection dropped without a reply', async () => {
    const sim = await simWith([photos]);
    sim.inject({ kind: 'drop-after-apply', method: 'POST', pathIncludes: '/pause', times: 1 });

    const lost = await call(sim, accounts.ncp, 'POST', '/migration-api/v1/policy/photos/pause').then(
      () => 'answered',
      () => 'dropped',
    );
    await new Promise((resolve) => setTimeout(resolve, 60));

    expect(lost).toBe('dropped');
    expect(sim.applied).toEqual([expect.objectContaining({ taskId: 'photos', toward: 'PAUSED' })]);
    expect(sim.task('ncp-object-migration', 'photos')?.state).toBe('PAUSED');
    expect(sim.requests.at(-1)).toMatchObject({ status: 0, fault: 'drop-after-apply' }); // never answered
    // The rule was used up: the next request is answered (a retry hears the task's new state).
    const retried = await call(sim, accounts.ncp, 'POST', '/migration-api/v1/policy/photos/pause');
    expect(retried.status).toBe(400);
    expect(sim.applied).toHaveLength(1);
  });

  it('an account with its own transitionMs changes state that much later than the scenario says', async () => {
    const sim = await simWith([photos], {
      accounts: Object.values(accounts).map((a) => (a.name === 'ncp-main' ? { ...a, transitionMs: 400 } : a)),
    });

    await call(sim, accounts.ncp, 'POST', '/migration-api/v1/policy/photos/pause');
    await new Promise((resolve) => setTimeout(resolve, 100));
    const early = sim.task('ncp-object-migration', 'photos')?.state;
    await new Promise((resolve) => setTimeout(resolve, 400));

    expect(early).toBe('STARTED');
    expect(sim.task('ncp-object-migration', 'photos')?.state).toBe('PAUSED');
  });
});
