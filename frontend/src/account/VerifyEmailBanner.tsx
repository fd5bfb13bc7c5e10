import type { User } from '../api/types.ts';
import { accountErrorMessage, useResendVerification } from './queries.ts';

/** Shown to a signed-in user whose email is not verified yet, with a way to get a new link. */
export function VerifyEmailBanner({ user }: { user: User }) {
  const resend = useResendVerification();
  if (user.emailVerified) return null;
  return (
    <aside className="banner" aria-label="Verify your email">
      <p>
        <strong>Verify your email.</strong> We sent a link to {user.email}. Until you open it your account can store
        only a small amount.
      </p>
      {resend.isSuccess && <p role="status">A new link is on its way to {user.email}.</p>}
      {resend.error && (
        <p role="alert" className="error">
          {accountErrorMessage(resend.error)}
        </p>
      )}
      <button type="button" onClick={() => resend.mutate()} disabled={resend.isPending}>
        {resend.isPending ? 'Sending…' : 'Resend the link'}
      </button>
    </aside>
  );
}
