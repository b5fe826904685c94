import { describe, expect, it } from 'vitest';
import { nextSteps } from '../../../cli/format';
import { parseAccounts } from '../../../lib/config';
import type { Summary } from '../../../lib/core/types';

const accounts = parseAccounts({
  accounts: [
    { name: 'ncp-main', provider: 'ncp-object-migration', region: 'KR', secret: 'env:MP_NCP_MAIN' },
    {
      name: 'dms-main',
      provider: 'aws-dms',
      region: 'ap-northeast-2',
      roleArn: 'arn:aws:iam::000000000000:role/fake-dms-operator',
      externalId: 'fake-external-id',
    },
  ],
}).accounts;

function refused(account: string): Summary {
  return {
    commandId: '00000000-0000-4000-8000-000000000001',
    action: 'pause',
    dryRun: false,
    targets: 0,
    byProvider: {},
    totals: {},
    accountFailures: [
      { account, provider: account === 'dms-main' ? 'aws-dms' : 'ncp-object-migration', errorClass: 'auth', reason: 'refused' },
    ],
    startedAt: '2026-12-03T06:00:00.000Z',
    finishedAt: '2026-12-03T06:00:01.000Z',
    seconds: 1,
  };
}

describe('next steps after an account’s credentials are refused', () => {
  it('point an account with keys at its secret', () => {
    expect(nextSteps(refused('ncp-main'), { accounts })).toContain(
      "put the account's current keys in its secret env:MP_NCP_MAIN",
    );
  });

  it('point an AWS DMS account without a secret at the identity and the role it assumes, not at a secret', () => {
    const steps = nextSteps(refused('dms-main'), { accounts });

    expect(steps).toContain('may assume arn:aws:iam::000000000000:role/fake-dms-operator with the account’s externalId');
    expect(steps).not.toContain('secret');
  });
});
