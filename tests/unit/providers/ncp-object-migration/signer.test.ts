import { describe, expect, it } from 'vitest';
import { signNcpV2 } from '../../../../lib/providers/ncp-object-migration/signer';

// Regression vectors from providers.md §1 (two independent HMAC implementations; NAVER publishes none).
const KEYS = { timestamp: '1700000000000', accessKey: 'EXAMPLEACCESSKEY', secretKey: 'EXAMPLESECRETKEY' };

describe('signNcpV2', () => {
  it.each([
    ['POST', '/migration-api/v1/policy/migrationpolicy/pause', 'vd/gHr75z30BcVIaDEqiiWkmKmQp0vyI+zfVfvchBYo='],
    ['GET', '/migration-api/v1/policies?order=title&sortBy=asc&limit=3&page=0', 's5IOGdJ5KBP/X+I4xO6/LfB0PnP1dxeDWTKnYDo5wFY='],
    ['POST', '/migration-api/v1/policy/%ED%85%8C%EC%8A%A4%ED%8A%B8/pause', '6rOqJ8kFgelFrXD9FVGOcfRPp0V/SdD+t44pM8dJTGE='],
  ])('signs %s %s as the regression vector says', (method, uri, expected) => {
    expect(signNcpV2({ method, uri, ...KEYS })).toBe(expected);
  });

  it('signs the percent-encoded title, not the raw one', () => {
    const encoded = `/migration-api/v1/policy/${encodeURIComponent('테스트')}/pause`;

    expect(signNcpV2({ method: 'POST', uri: encoded, ...KEYS })).toBe('6rOqJ8kFgelFrXD9FVGOcfRPp0V/SdD+t44pM8dJTGE=');
    expect(signNcpV2({ method: 'POST', uri: '/migration-api/v1/policy/테스트/pause', ...KEYS })).not.toBe(
      '6rOqJ8kFgelFrXD9FVGOcfRPp0V/SdD+t44pM8dJTGE=',
    );
  });
});
