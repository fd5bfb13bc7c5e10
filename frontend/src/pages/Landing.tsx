import { type FormEvent, useState } from 'react';
import { Link, Navigate, useLocation } from 'react-router';
import { errorMessage, useMe, useRegister, useSessionEnded, useSignIn } from '../api/queries.ts';
import { SESSION_ENDED } from '../upload-engine/index.ts';
import { ProviderSignIn } from './ProviderSignIn.tsx';

/** Sign in or create an account; signed-in visitors go straight to their files. */
export function Landing() {
  const me = useMe();
  const location = useLocation();
  const ended = useSessionEnded();
  const from = (location.state as { from?: string } | null)?.from ?? '/files';
  if (me.data) return <Navigate to={from} replace />;
  return (
    <main className="landing">
      {ended && (
        <p role="alert" className="error">
          {SESSION_ENDED}. Uploads in progress continue when you pick the same files again.
        </p>
      )}
      <section className="intro">
        <h1>lfusys</h1>
        <p>
          Upload files of any size. Chunks travel in parallel, each one checked with SHA-256, and an interrupted upload
          continues where it stopped — even after a reload.
        </p>
      </section>
      <div className="cards">
        <SignInForm />
        <RegisterForm />
        <ProviderSignIn returnTo={from} />
      </div>
    </main>
  );
}

function SignInForm() {
  const signIn = useSignIn();
  const onSubmit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    signIn.mutate({ email: String(form.get('email')), password: String(form.get('password')) });
  };
  return (
    <form className="card" onSubmit={onSubmit} aria-labelledby="signin-title">
      <h2 id="signin-title">Sign in</h2>
      <label>
        Email
        <input name="email" type="email" autoComplete="username" required />
      </label>
      <label>
        Password
        <input name="password" type="password" autoComplete="current-password" required />
      </label>
      {signIn.error && (
        <p role="alert" className="error">
          {errorMessage(signIn.error)}
        </p>
      )}
      <button type="submit" disabled={signIn.isPending}>
        {signIn.isPending ? 'Signing in…' : 'Sign in'}
      </button>
      <p>
        <Link to="/forgot-password">Forgot password?</Link>
      </p>
    </form>
  );
}

function RegisterForm() {
  const register = useRegister();
  const signIn = useSignIn();
  const [done, setDone] = useState(false);
  const onSubmit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const input = {
      name: String(form.get('name')),
      email: String(form.get('email')),
      password: String(form.get('password')),
    };
    register.mutate(input, {
      onSuccess: () => {
        setDone(true);
        signIn.mutate({ email: input.email, password: input.password });
      },
    });
  };
  const error = register.error ?? signIn.error;
  return (
    <form className="card" onSubmit={onSubmit} aria-labelledby="register-title">
      <h2 id="register-title">Create an account</h2>
      <label>
        Name
        <input name="name" autoComplete="name" required maxLength={100} />
      </label>
      <label>
        Email
        <input name="email" type="email" autoComplete="email" required />
      </label>
      <label>
        Password <span className="hint">(at least 8 characters, not a common one)</span>
        <input name="password" type="password" autoComplete="new-password" required minLength={8} />
      </label>
      {error && (
        <p role="alert" className="error">
          {errorMessage(error)}
        </p>
      )}
      {done && !error && <p role="status">Account created; signing you in…</p>}
      <button type="submit" disabled={register.isPending}>
        {register.isPending ? 'Creating…' : 'Create account'}
      </button>
    </form>
  );
}
