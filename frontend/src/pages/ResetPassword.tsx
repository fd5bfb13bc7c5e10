import type { FormEvent } from 'react';
import { Link } from 'react-router';
import { accountErrorMessage, isBadLink, useResetPassword } from '../account/queries.ts';
import { useLinkToken } from '../account/use-link-token.ts';
import { usePageTitle } from '../page-title.ts';

/** Reached from the mailed link: chooses a new password with the link's token. */
export function ResetPassword() {
  usePageTitle('Reset password');
  const token = useLinkToken();
  const reset = useResetPassword();
  const onSubmit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    reset.mutate({ token, newPassword: String(new FormData(e.currentTarget).get('newPassword')) });
  };
  if (!token) return <BadLink message="This page needs the link from your email." />;
  if (reset.isSuccess)
    return (
      <main className="narrow">
        <h1>Password changed</h1>
        <p role="status">Your new password is set and every device was signed out.</p>
        <p>
          <Link to="/">Sign in with your new password</Link>
        </p>
      </main>
    );
  if (reset.error && isBadLink(reset.error)) return <BadLink message={accountErrorMessage(reset.error)} />;
  return (
    <main className="narrow">
      <form className="card" onSubmit={onSubmit} aria-labelledby="reset-title">
        <h1 id="reset-title">Choose a new password</h1>
        <label>
          New password <span className="hint">(at least 8 characters, not a common one)</span>
          <input name="newPassword" type="password" autoComplete="new-password" required minLength={8} />
        </label>
        {reset.error && (
          <p role="alert" className="error">
            {accountErrorMessage(reset.error)}
          </p>
        )}
        <button type="submit" disabled={reset.isPending}>
          {reset.isPending ? 'Saving…' : 'Set the new password'}
        </button>
      </form>
    </main>
  );
}

function BadLink({ message }: { message: string }) {
  return (
    <main className="narrow">
      <h1>This link does not work</h1>
      <p role="alert" className="error">
        {message}
      </p>
      <p>
        <Link to="/forgot-password">Ask for a new link</Link>
      </p>
    </main>
  );
}
