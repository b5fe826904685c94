import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { recordSummaryMetrics } from '../../../lib/aws/middleware';

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe('outcome metrics', () => {
  it('emits one EMF count per outcome kind with the provider as dimension', () => {
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
    const lines: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    const metrics = new Metrics({
      namespace: 'MigrationPauserTests',
      serviceName: 'migration-pauser',
      logger: new Logger({ logLevel: 'SILENT' }),
    });

    recordSummaryMetrics(metrics, {
      byProvider: { 'huawei-drs': { paused: 3, failed: 1 } },
      accountFailures: [{ provider: 'ncp-object-migration', account: 'ncp-main', errorClass: 'auth', reason: 'refused' }],
    });

    const blobs = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(blobs).toEqual([
      expect.objectContaining({ provider: 'huawei-drs', 'target-paused': 3 }),
      expect.objectContaining({ provider: 'huawei-drs', 'target-failed': 1 }),
      expect.objectContaining({ provider: 'ncp-object-migration', 'account-failed': 1 }),
    ]);
    expect(blobs[0]).toMatchObject({ _aws: { CloudWatchMetrics: [{ Dimensions: [['service', 'provider']] }] } });
  });
});
