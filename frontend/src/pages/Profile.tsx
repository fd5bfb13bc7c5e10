import { type FormEvent, useState } from 'react';
import { EmailForm } from '../account/EmailForm.tsx';
import { errorMessage, useChangePassword, useDeleteAccount, useMe, useUpdateProfile } from '../api/queries.ts';
import { usePageTitle } from '../page-title.ts';
import { Devices } from './Devices.tsx';
import { LinkedIdentities } from './LinkedIdentities.tsx';

/** Name and bio, password, linked sign-in providers, signed-in devices, and deleting the account. */
export function Profile() {
  usePageTitle('Profile');
  const me = useMe();
  const user = me.data;
  if (!user) return null;
  return (
    <main className="profile">
      <h1>Profile</h1>
      <p>
        Signed in as <strong>{user.email}</strong>
      </p>
      <ProfileForm name={user.name} bio={user.bio} />
      <EmailForm email={user.email} />
      <PasswordForm />
      <LinkedIdentities />
      <Devices />
      <DeleteAccount />
    </main>
  );
}

function ProfileForm({ name, bio }: { name: string; bio: string }) {
  const update = useUpdateProfile();
  const onSubmit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    update.mutate({ name: String(form.get('name')), bio: String(form.get('bio')) });
  };
  return (
    <form className="card" onSubmit={onSubmit} aria-labelledby="profile-title">
      <h2 id="profile-title">About you</h2>
      <label>
        Name
        <input name="name" defaultValue={name} required maxLength={100} />
      </label>
      <label>
        Bio
        <textarea name="bio" defaultValue={bio} maxLength={500} rows={3} />
      </label>
      {update.error && (
        <p role="alert" className="error">
          {errorMessage(update.error)}
        </p>
      )}
      {update.isSuccess && <p role="status">Saved.</p>}
      <button type="submit" disabled={update.isPending}>
        Save
      </button>
    </form>
  );
}

function PasswordForm() {
  const change = useChangePassword();
  const onSubmit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const formElement = e.currentTarget;
    const form = new FormData(formElement);
    change.mutate(
      { currentPassword: String(form.get('currentPassword')), newPassword: String(form.get('newPassword')) },
      { onSuccess: () => formElement.reset() },
    );
  };
  return (
    <form className="card" onSubmit={onSubmit} aria-labelledby="password-title">
      <h2 id="password-title">Password</h2>
      <label>
        Current password
        <input name="currentPassword" type="password" autoComplete="current-password" required />
      </label>
      <label>
        New password
        <input name="newPassword" type="password" autoComplete="new-password" required minLength={8} />
      </label>
      {change.error && (
        <p role="alert" className="error">
          {errorMessage(change.error)}
        </p>
      )}
      {change.isSuccess && <p role="status">Password changed. Your other sessions were signed out.</p>}
      <button type="submit" disabled={change.isPending}>
        Change password
      </button>
    </form>
  );
}

function DeleteAccount() {
  const remove = useDeleteAccount();
  const [confirming, setConfirming] = useState(false);
  const onSubmit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    remove.mutate(String(new FormData(e.currentTarget).get('password')));
  };
  return (
    <section className="card danger-zone" aria-labelledby="delete-title">
      <h2 id="delete-title">Delete account</h2>
      <p>This deletes your account, every file and every unfinished upload. It cannot be undone.</p>
      {confirming ? (
        <form onSubmit={onSubmit}>
          <label>
            Your password, to confirm
            <input name="password" type="password" autoComplete="current-password" required />
          </label>
          {remove.error && (
            <p role="alert" className="error">
              {errorMessage(remove.error)}
            </p>
          )}
          <button type="submit" className="danger" disabled={remove.isPending}>
            Delete my account and files
          </button>
          <button type="button" onClick={() => setConfirming(false)}>
            Keep my account
          </button>
        </form>
      ) : (
        <button type="button" className="danger" onClick={() => setConfirming(true)}>
          Delete account…
        </button>
      )}
    </section>
  );
}
