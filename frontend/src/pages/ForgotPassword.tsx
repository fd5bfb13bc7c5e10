import type { FormEvent } from 'react';
import { Link } from 'react-router';
import { accountErrorMessage, useForgotPassword } from '../account/queries.ts';
import { usePageTitle } from '../page-title.ts';

/** Asks for a reset link; the answer never says whether the address has an account. */
export function ForgotPassword() {
  usePageTitle('Forgot password');
  const forgot = useForgotPassword();
  const onSubmit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    forgot.mutate(String(new FormData(e.currentTarget).get('email')));
  };
  return (
    <main className="narrow">
      <form className="card" onSubmit={onSubmit} aria-labelledby="forgot-title">
        <h1 id="forgot-title">Forgot your password?</h1>
        <p>Enter the email of your account and we will mail you a link to choose a new password.</p>
        <label>
          Email
          <input name="email" type="email" autoComplete="email" required />
        </label>
        {forgot.error && (
          <p role="alert" className="error">
            {accountErrorMessage(forgot.error)}
          </p>
        )}
        {forgot.isSuccess && (
          <p role="status">
            If an account uses this address, a link is on its way. It works once and expires in 30 minutes.
          </p>
        )}
        <button type="submit" disabled={forgot.isPending}>
          {forgot.isPending ? 'Sending…' : 'Send the link'}
        </button>
      </form>
      <p>
        <Link to="/">Back to sign in</Link>
      </p>
    </main>
  );
}
