import type { ProviderError } from '../../../../lib/core/errors';
import { huaweiError } from '../../../helpers/fake-huawei-client';

export { type FakeClient, type FakeHandler, fakeClient } from '../../../helpers/fake-huawei-client';

export function omsError(code: string, status = 400, errorClass: ProviderError['errorClass'] = 'bad-request'): ProviderError {
  return huaweiError('huawei-oms', code, errorClass, status);
}
