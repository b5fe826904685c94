import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { remoteNames } from '../../../cli/remote';

describe('the names remote mode uses', () => {
  it('follow the queue prefix of the project’s serverless.yml', async () => {
    const document = load(await readFile(join(import.meta.dirname, '../../../serverless.yml'), 'utf8')) as {
      service: string;
      custom: { queuePrefix: string };
    };

    const prefix = document.custom.queuePrefix.replace(/\$\{self:service\}/, document.service).replace(/\$\{sls:stage\}/, 'prod');
    expect(remoteNames('prod')).toEqual({
      incidentFunction: `${document.service}-prod-incident`,
      failuresQueue: `${prefix}-failures`,
      commandsQueue: `${prefix}-commands`,
      ledgerTable: `${prefix}-ledger`,
    });
  });
});
