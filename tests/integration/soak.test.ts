import { describe, expect, it } from 'vitest';
import { runSoak, secretHits } from '../../soak/soak';

describe('the soak, small', () => {
  it('keeps every invariant through faults, lost responses, killed workers, failing writes and sends, a slow region, incident races, duplicates, an outage and forced deadlines', async () => {
    const { report, broken } = await runSoak({
      commands: 4,
      tasksPerProvider: 16,
      accountsPerProvider: 2,
      faultRate: 0.1,
      duplicateRate: 0.05,
      dropRate: 0.1,
      seed: 11,
      inProcessLimit: 8,
    });

    expect(broken).toEqual([]);
    expect(report).toMatchObject({
      lost: 0,
      duplicateProviderActions: 0,
      resumedNotOurs: 0,
      secretHits: 0,
      failedNotInDlq: 0,
      falseFailures: 0,
      orphaned: 0,
      resumedWhileHeld: 0,
      stillPausedAtEnd: 0,
      holdsLeftAtEnd: 0,
    });
    expect(report.failedInDlq).toBe(report.failed);
    expect(report.outcomes).toBe(report.targets);
    // The faults really happened: the invariants were tested, not skipped.
    expect(report.exercised.faultsInjected).toBeGreaterThan(0);
    expect(report.exercised.duplicateDeliveries).toBeGreaterThan(0);
    expect(report.exercised.handoffs.confirm).toBeGreaterThan(0);
    for (const fault of [
      'killedWorkers',
      'droppedResponses',
      'slowConfirmations',
      'ledgerWriteFailures',
      'failureSendFailures',
      'incidentRaces',
      'redeliveries',
    ] as const) {
      expect(report.exercised[fault], fault).toBeGreaterThan(0);
    }
    expect(report.failed).toBeGreaterThan(0); // the outage failed some targets, and each is in the DLQ
  }, 120_000);
});

describe('the soak secret scan', () => {
  it('finds a seeded value as is, base64-encoded and URL-encoded', () => {
    const secret = 'FAKE-SOAK-SK/42+x';
    const text = `a ${secret} b ${Buffer.from(secret).toString('base64')} c ${encodeURIComponent(secret)}`;

    expect(secretHits(text, [secret])).toBe(3);
    expect(secretHits('nothing here', [secret])).toBe(0);
  });
});
