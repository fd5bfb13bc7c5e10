import { AppError, type ErrorCode } from '@lfusys/commons';
import { AuthorizationResponseError, ClientError, ResponseBodyError } from 'openid-client';

/**
 * Why a sign-in through a provider failed: the `details.reason` of the error, and the `authError`
 * query parameter the callback sends the browser back to the web app with (docs/security.md).
 */
export type SignInReason =
  /** The callback's `state` is missing or not the one this browser's sign-in started with (CSRF, a stale tab). */
  | 'state_mismatch'
  /** The user declined at the provider (`error=access_denied`). */
  | 'access_denied'
  /** The provider answered with another error, or something the protocol does not allow. */
  | 'provider_error'
  /** The provider refused the code: used already, expired, or the PKCE verifier does not match. */
  | 'code_rejected'
  /** The ID token failed verification: signature, issuer, audience, expiry or nonce. */
  | 'id_token_invalid'
  /** The provider has no verified email for the account (GitHub: no verified primary email). */
  | 'email_unverified'
  /** An account with this email exists and cannot be linked (its email is not verified). */
  | 'account_exists'
  /** The provider could not be reached. */
  | 'provider_unavailable';

const CODE_FOR_REASON: Record<SignInReason, ErrorCode> = {
  state_mismatch: 'invalid_argument',
  access_denied: 'unauthenticated',
  provider_error: 'unauthenticated',
  code_rejected: 'unauthenticated',
  id_token_invalid: 'unauthenticated',
  email_unverified: 'permission_denied',
  account_exists: 'failed_precondition',
  provider_unavailable: 'unavailable',
};

export function signInError(reason: SignInReason, message: string, cause?: unknown): AppError {
  return new AppError(CODE_FOR_REASON[reason], message, { details: { reason }, cause });
}

/** The reason a failed sign-in shows the browser; failures outside the protocol keep their own code. */
export function signInReasonOf(err: AppError): string {
  const reason = err.details?.reason;
  return typeof reason === 'string' ? reason : err.code;
}

/** OAuth error codes a token endpoint uses for a bad code or verifier (RFC 6749 §5.2; GitHub's own). */
const REJECTED_GRANT = new Set(['invalid_grant', 'bad_verification_code']);
const ID_TOKEN_CHECKS = new Set([
  'OAUTH_JWT_CLAIM_COMPARISON_FAILED',
  'OAUTH_JWT_TIMESTAMP_CHECK_FAILED',
  'OAUTH_KEY_SELECTION_FAILED',
]);

/** Classifies what openid-client (oauth4webapi) threw during the callback into a sign-in failure. */
export function providerFailure(providerId: string, err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof AuthorizationResponseError) {
    const reason = err.error === 'access_denied' ? 'access_denied' : 'provider_error';
    return signInError(reason, `${providerId} answered ${err.error}`, err);
  }
  if (err instanceof ResponseBodyError) {
    const reason = REJECTED_GRANT.has(err.error) ? 'code_rejected' : 'provider_error';
    return signInError(reason, `${providerId} refused the code (${err.error})`, err);
  }
  if (err instanceof ClientError) {
    if (err.code === 'OAUTH_TIMEOUT' || err.code === 'OAUTH_ABORT') {
      return signInError('provider_unavailable', `${providerId} did not answer in time`, err);
    }
    if (err.code && ID_TOKEN_CHECKS.has(err.code)) {
      return signInError('id_token_invalid', `the ID token from ${providerId} failed verification`, err);
    }
    // GitHub answers a bad code with 200 and `{"error": "bad_verification_code"}`.
    if (REJECTED_GRANT.has(String(bodyOf(err)?.error))) {
      return signInError('code_rejected', `${providerId} refused the code`, err);
    }
    return signInError('provider_error', `${providerId} answered something unexpected`, err);
  }
  // fetch rejects with a TypeError when the connection fails (refused, reset, DNS).
  if (err instanceof TypeError && err.message === 'fetch failed') {
    return signInError('provider_unavailable', `${providerId} could not be reached`, err);
  }
  return AppError.from(err);
}

function bodyOf(err: ClientError): Record<string, unknown> | undefined {
  const cause = err.cause as { cause?: { body?: Record<string, unknown> } } | undefined;
  return cause?.cause?.body;
}
