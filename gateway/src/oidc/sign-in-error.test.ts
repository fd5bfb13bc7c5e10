import { AppError } from '@lfusys/commons';
import { AuthorizationResponseError, ClientError, ResponseBodyError } from 'openid-client';
import { describe, expect, it } from 'vitest';
import { providerFailure, signInError, signInReasonOf } from './sign-in-error.ts';

const reason = (err: unknown) => signInReasonOf(providerFailure('dev', err));

function clientError(code: string, cause?: unknown): ClientError {
  const err = new ClientError('failed', { cause });
  err.code = code;
  return err;
}

const bodyError = (error: string) =>
  new ResponseBodyError('server responded with an error', {
    cause: { error },
    response: new Response(JSON.stringify({ error }), { status: 400 }),
  });

describe('providerFailure', () => {
  it('tells a user who declined from other provider errors', () => {
    const declined = new AuthorizationResponseError('declined', { cause: new URLSearchParams('error=access_denied') });
    const other = new AuthorizationResponseError('other', { cause: new URLSearchParams('error=server_error') });
    expect(reason(declined)).toBe('access_denied');
    expect(reason(other)).toBe('provider_error');
  });

  it('reads a refused code from invalid_grant and from GitHub’s 200 bad_verification_code', () => {
    expect(reason(bodyError('invalid_grant'))).toBe('code_rejected');
    expect(reason(bodyError('invalid_client'))).toBe('provider_error');
    const github = clientError('OAUTH_INVALID_RESPONSE', { cause: { body: { error: 'bad_verification_code' } } });
    expect(reason(github)).toBe('code_rejected');
  });

  it('calls failed ID token checks id_token_invalid, and other protocol surprises provider_error', () => {
    for (const code of [
      'OAUTH_JWT_CLAIM_COMPARISON_FAILED',
      'OAUTH_JWT_TIMESTAMP_CHECK_FAILED',
      'OAUTH_KEY_SELECTION_FAILED',
    ]) {
      expect(reason(clientError(code))).toBe('id_token_invalid');
    }
    expect(reason(clientError('OAUTH_RESPONSE_IS_NOT_JSON'))).toBe('provider_error');
  });

  it('treats a network failure as provider_unavailable (503) and keeps our own errors', () => {
    const unreachable = providerFailure('dev', new TypeError('fetch failed'));
    expect(signInReasonOf(unreachable)).toBe('provider_unavailable');
    expect(unreachable.code).toBe('unavailable');
    const ours = signInError('email_unverified', 'no verified email');
    expect(providerFailure('dev', ours)).toBe(ours);
    expect(reason(clientError('OAUTH_TIMEOUT'))).toBe('provider_unavailable');
    // Anything else is our bug, not the provider's: internal, logged with its cause.
    expect(providerFailure('dev', new RangeError('oops')).code).toBe('internal');
    expect(signInReasonOf(new AppError('internal', 'boom'))).toBe('internal');
  });
});
