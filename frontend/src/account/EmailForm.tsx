import type { FormEvent } from 'react';
import { accountErrorMessage, useChangeEmail } from './queries.ts';

/** Changes the account's email (password required); the new address must then be verified. */
export function EmailForm({ email }: { email: string }) {
  const change = useChangeEmail();
  const onSubmit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const formElement = e.currentTarget;
    const form = new FormData(formElement);
    change.mutate(
      { email: String(form.get('email')), password: String(form.get('password')) },
      { onSuccess: () => formElement.reset() },
    );
  };
  return (
    <form className="card" onSubmit={onSubmit} aria-labelledby="email-title">
      <h2 id="email-title">Email</h2>
      <label>
        New email
        <input name="email" type="email" autoComplete="email" required placeholder={email} />
      </label>
      <label>
        Your password, to confirm
        <input name="password" type="password" autoComplete="current-password" required />
      </label>
      {change.error && (
        <p role="alert" className="error">
          {accountErrorMessage(change.error)}
        </p>
      )}
      {change.isSuccess && (
        <p role="status">Email changed. Open the link we sent to {change.data.user.email} to verify it.</p>
      )}
      <button type="submit" disabled={change.isPending}>
        Change email
      </button>
    </form>
  );
}
