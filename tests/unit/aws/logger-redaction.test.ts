import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../../lib/aws/middleware';
import { forgetSecretValues, REDACTED, redactText, rememberSecretValues } from '../../../lib/core/redaction';

/** Every line the logger writes (Powertools writes JSON through its own Console: info to stdout, warn and error to stderr). */
function captureLines(): { lines: () => string[] } {
  const written: string[] = [];
  for (const stream of [process.stdout, process.stderr]) {
    vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
  }
  return { lines: () => written.join('').split('\n').filter(Boolean) };
}

afterEach(() => {
  vi.restoreAllMocks();
  forgetSecretValues();
});

describe('the functions’ logger', () => {
  it('redacts values under credential keys, however deep and however spelt', () => {
    const out = captureLines();
    const logger = createLogger();

    logger.info('opening session', {
      account: 'ncp-main',
      secretRef: 'aws:migration-pauser/ncp-main',
      secret: { accessKey: 'FAKE-AK-LOGTEST-1', secretKey: 'FAKE-SK-LOGTEST-1' },
      oms: { dst_ak: 'FAKE-DST-AK-LOGTEST', dst_sk: 'FAKE-DST-SK-LOGTEST' },
      headers: {
        Authorization: 'SDK-HMAC-SHA256 Access=FAKE-AK-2, SignedHeaders=host, Signature=abc123',
        'X-Auth-Token': 'FAKE-TOKEN-LOGTEST',
      },
      redis: { password: 'FAKE-REDIS-PW-LOGTEST' },
      ak: 'FAKE-AK-3',
      sk: 'FAKE-SK-3',
    });

    const [line = ''] = out.lines();
    for (const secret of ['LOGTEST', 'FAKE-AK-2', 'abc123', 'FAKE-AK-3', 'FAKE-SK-3']) expect(line).not.toContain(secret);
    const logged = JSON.parse(line);
    expect(logged.secretRef).toBe('aws:migration-pauser/ncp-main');
    expect(logged.account).toBe('ncp-main');
    expect(logged.secret).toBe(REDACTED);
    expect(logged.oms).toEqual({ dst_ak: REDACTED, dst_sk: REDACTED });
    expect(logged.headers).toEqual({ Authorization: REDACTED, 'X-Auth-Token': REDACTED });
  });

  it('redacts an Authorization header or a key=value credential quoted inside a message or an error', () => {
    const out = captureLines();
    const logger = createLogger();

    logger.error(
      'request failed: Authorization: SDK-HMAC-SHA256 Access=FAKE-AK-9, SignedHeaders=host;x-sdk-date, Signature=deadbeef01',
      {
        error: new Error(
          'bad body {"dst_sk":"FAKE-DST-SK-99","token": "FAKE-TOKEN-99"} with Bearer FAKEBEARER99 and password=FAKE-PW-99',
        ),
      },
    );

    const [line = ''] = out.lines();
    for (const secret of ['FAKE-AK-9', 'deadbeef01', 'FAKE-DST-SK-99', 'FAKE-TOKEN-99', 'FAKEBEARER99', 'FAKE-PW-99']) {
      expect(line).not.toContain(secret);
    }
    expect(line).toContain('request failed');
    expect(line).toContain('SignedHeaders=host');
  });

  it('redacts a secret value it was told about wherever it appears, also URL-encoded or in base64', () => {
    rememberSecretValues({ ak: 'FAKEAKVALUE7', sk: 'FAKE/SK+VALUE=7', projectId: 'fakeproject0001' });
    const out = captureLines();
    const logger = createLogger();

    logger.warn(`provider said: signature for FAKE/SK+VALUE=7 did not match (${encodeURIComponent('FAKE/SK+VALUE=7')})`, {
      detail: Buffer.from('FAKE/SK+VALUE=7').toString('base64'),
      note: 'key FAKEAKVALUE7 in project fakeproject0001',
    });

    const [line = ''] = out.lines();
    expect(line).not.toContain('FAKE/SK+VALUE=7');
    expect(line).not.toContain(encodeURIComponent('FAKE/SK+VALUE=7'));
    expect(line).not.toContain(Buffer.from('FAKE/SK+VALUE=7').toString('base64'));
    expect(line).not.toContain('FAKEAKVALUE7');
    // A project id is not a credential: it stays readable.
    expect(line).toContain('fakeproject0001');
  });

  it('leaves ordinary words alone', () => {
    expect(redactText('task photos paused; 3 tokens left; secretRef env:MP_SIM_NCP_MAIN')).toBe(
      'task photos paused; 3 tokens left; secretRef env:MP_SIM_NCP_MAIN',
    );
  });
});
