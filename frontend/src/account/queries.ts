import { useMutation, useQueryClient } from '@tanstack/react-query';
import { ApiError, api } from '../api/client.ts';
import { errorMessage, keys } from '../api/queries.ts';
import type { User } from '../api/types.ts';

/** `POST /auth/password/forgot`: the same answer whether or not the address has an account. */
export function useForgotPassword() {
  return useMutation({
    mutationFn: (email: string) => api.post<{ message: string }>('/auth/password/forgot', { email }),
  });
}

/** `POST /auth/password/reset`: every session ends, this one included (there is none on this page). */
export function useResetPassword() {
  return useMutation({
    mutationFn: (input: { token: string; newPassword: string }) => api.post<void>('/auth/password/reset', input),
  });
}

/** `POST /auth/email/verify`; a signed-in tab sees the verified user at once. */
export function useVerifyEmail() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (token: string) => api.post<{ user: User }>('/auth/email/verify', { token }),
    onSuccess: ({ user }) => {
      const me = client.getQueryData<User | null>(keys.me);
      if (me?.id === user.id) client.setQueryData(keys.me, user);
    },
  });
}

/** `POST /users/me/email`: the signed-in user's new address, unverified until its link is opened. */
export function useChangeEmail() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: { email: string; password: string }) => api.post<{ user: User }>('/users/me/email', input),
    onSuccess: ({ user }) => client.setQueryData(keys.me, user),
  });
}

export function useResendVerification() {
  return useMutation({ mutationFn: () => api.post<{ message: string }>('/auth/email/resend') });
}

/** Whether a token failure means "ask for a new link" (expired, used or unknown). */
export function isBadLink(err: unknown): boolean {
  const reason = err instanceof ApiError ? err.details?.reason : undefined;
  return reason === 'token_invalid' || reason === 'token_expired';
}

/** The server's message, plus when to retry for a rate limit. */
export function accountErrorMessage(err: unknown): string {
  if (err instanceof ApiError && err.status === 429 && err.retryAfterSeconds) {
    const minutes = Math.ceil(err.retryAfterSeconds / 60);
    return `${err.message} (in ${minutes === 1 ? 'a minute' : `${minutes} minutes`}).`;
  }
  return errorMessage(err);
}
