import { describe, expect, it } from 'vitest';
import { ncpJobListSchema, ncpJobSchema, toProviderTask } from '../../../../lib/providers/ncp-object-migration/job';

function aJob(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    title: 'photos',
    sourceCspType: 'AWS',
    sourceBucketName: 'source-bucket',
    targetBucketName: 'target-bucket',
    jobState: 'STARTED',
    estimatedSize: 1000,
    migratedSize: 500,
    ...overrides,
  };
}

describe('NCP job parsing', () => {
  it('turns a job into a task named by its title', () => {
    const task = toProviderTask('ncp-main', ncpJobSchema.parse(aJob()));

    expect(task).toMatchObject({
      provider: 'ncp-object-migration',
      account: 'ncp-main',
      taskId: 'photos',
      name: 'photos',
      state: 'STARTED',
      phase: 'running',
      details: { sourceCspType: 'AWS', sourceBucketName: 'source-bucket', targetBucketName: 'target-bucket', migratedSize: 500 },
    });
  });

  it('accepts the older spelling targetBuketName', () => {
    const job = ncpJobSchema.parse(aJob({ targetBucketName: undefined, targetBuketName: 'old-spelling' }));

    expect(job.targetBucketName).toBe('old-spelling');
  });

  it('refuses a job without a title or a state', () => {
    expect(ncpJobSchema.safeParse(aJob({ title: undefined })).success).toBe(false);
    expect(ncpJobSchema.safeParse(aJob({ jobState: 42 })).success).toBe(false);
  });

  it('drops a display field of an unexpected type instead of failing the job', () => {
    const job = ncpJobSchema.parse(aJob({ migratedSize: { odd: true }, sourceCspType: null }));

    expect(toProviderTask('ncp-main', job).details).not.toHaveProperty('migratedSize');
    expect(toProviderTask('ncp-main', job).details).not.toHaveProperty('sourceCspType');
  });

  it('reads a page without a jobList as empty', () => {
    expect(ncpJobListSchema.parse({ objStrContracted: false, num: 0 }).jobList).toEqual([]);
  });
});
