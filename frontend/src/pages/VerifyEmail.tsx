import { useEffect, useRef } from 'react';
import { Link } from 'react-router';
import { accountErrorMessage, useVerifyEmail } from '../account/queries.ts';
import { useLinkToken } from '../account/use-link-token.ts';
import { useMe } from '../api/queries.ts';
import { usePageTitle } from '../page-title.ts';

/** Reached from the mailed link: verifies the email as soon as the page opens. */
export function VerifyEmail() {
  usePageTitle('Verify your email');
  const token = useLinkToken();
  const verify = useVerifyEmail();
  const me = useMe();
  const sent = useRef(false);
  useEffect(() => {
    // Once per page view: React's development double effects must not spend the token twice.
    if (!token || sent.current) return;
    sent.current = true;
    verify.mutate(token);
  }, [token, verify]);

  const next = me.data ? <Link to="/files">Go to your files</Link> : <Link to="/">Sign in</Link>;
  return (
    <main className="narrow">
      <h1>Verify your email</h1>
      {!token && (
        <p role="alert" className="error">
          This page needs the link from your email.
        </p>
      )}
      {verify.isPending && <p role="status">Verifying…</p>}
      {verify.isSuccess && <p role="status">Your email {verify.data.user.email} is verified. Thank you!</p>}
      {verify.error && (
        <p role="alert" className="error">
          {accountErrorMessage(verify.error)}
          {me.data ? ' Use "Resend the link" at the top of any page.' : ' Sign in to ask for a new one.'}
        </p>
      )}
      <p>{next}</p>
    </main>
  );
}
