import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useSyncExternalStore } from 'react';
import { api } from '../api/client.ts';
import { errorMessage, keys, signedOut } from '../api/queries.ts';
import { sessionExpiry } from '../api/session-expiry.ts';
import type { User } from '../api/types.ts';

/**
 * Shown in place when the session expired while the page was in use: uploads keep going on their
 * upload tokens, and requests that met the expiry (a rename, a token renewal) wait. Signing in
 * again replays them; signing out ends them. The email is fixed: the waiting requests belong to
 * this account.
 */
export function SessionExpiredBanner({ user }: { user: User }) {
  const expired = useSyncExternalStore(sessionExpiry.subscribe, sessionExpiry.isExpired);
  const client = useQueryClient();
  const signIn = useMutation({
    mutationFn: (password: string) => api.post<{ user: User }>('/auth/login', { email: user.email, password }),
    onSuccess: ({ user: again }) => {
      api.resetCsrf();
      client.setQueryData(keys.me, again);
      sessionExpiry.settle(true);
    },
  });
  if (!expired) return null;
  const onSubmit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    signIn.mutate(String(new FormData(e.currentTarget).get('password')));
  };
  return (
    <section className="banner session-expired" aria-labelledby="session-expired-title">
      <h2 id="session-expired-title">Session expired — sign in</h2>
      <p role="alert">
        Your session ended. Uploads keep going; sign in as {user.email} to carry on with what you were doing.
      </p>
      <form onSubmit={onSubmit} aria-label="Sign in again" className="inline-form">
        <label>
          Password
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            required
            aria-invalid={signIn.isError || undefined}
            aria-describedby={signIn.isError ? 'session-expired-error' : undefined}
          />
        </label>
        <button type="submit" disabled={signIn.isPending}>
          {signIn.isPending ? 'Signing in…' : 'Sign in'}
        </button>
        <button type="button" className="secondary" onClick={() => signedOut(client, true)}>
          Sign out
        </button>
      </form>
      {signIn.isError && (
        <p id="session-expired-error" role="alert" className="error">
          {errorMessage(signIn.error)}
        </p>
      )}
    </section>
  );
}
