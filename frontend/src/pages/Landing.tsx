import { type FormEvent, useEffect, useRef, useState } from 'react';
import { Link, Navigate, useLocation } from 'react-router';
import { ApiError } from '../api/client.ts';
import { errorMessage, useMe, useRegister, useSessionEnded, useSignIn } from '../api/queries.ts';
import { usePageTitle } from '../page-title.ts';
import { SESSION_ENDED } from '../upload-engine/index.ts';
import { ProviderSignIn } from './ProviderSignIn.tsx';

/** Sign in or create an account; signed-in visitors go straight to their files. */
export function Landing() {
  usePageTitle('Sign in');
  const me = useMe();
  const location = useLocation();
  const ended = useSessionEnded();
  const from = (location.state as { from?: string } | null)?.from ?? '/files';
  // One sign-in shared by both forms: the sign-in form's error goes when the user moves on.
  const signIn = useSignIn();
  const [email, setEmail] = useState('');
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
        <SignInForm signIn={signIn} email={email} />
        <RegisterForm signIn={signIn} onSignInInstead={setEmail} />
        <ProviderSignIn returnTo={from} />
      </div>
    </main>
  );
}

type SignIn = ReturnType<typeof useSignIn>;

/** The error of a form, linked to its fields (`aria-describedby`, `aria-invalid`). */
function fieldErrorProps(id: string, failed: boolean) {
  return failed ? { 'aria-invalid': true, 'aria-describedby': id } : {};
}

function SignInForm({ signIn, email }: { signIn: SignIn; email: string }) {
  const failed = signIn.isError && signIn.variables?.source === 'sign-in';
  const password = useRef<HTMLInputElement>(null);
  // "Sign in instead" filled in the email (the form is keyed by it): the password is next.
  useEffect(() => {
    if (email) password.current?.focus();
  }, [email]);
  const onSubmit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    signIn.mutate({ email: String(form.get('email')), password: String(form.get('password')), source: 'sign-in' });
  };
  return (
    <form className="card" onSubmit={onSubmit} aria-labelledby="signin-title" key={email}>
      <h2 id="signin-title">Sign in</h2>
      <label>
        Email
        <input
          name="email"
          type="email"
          autoComplete="username"
          required
          defaultValue={email}
          {...fieldErrorProps('signin-error', failed)}
        />
      </label>
      <label>
        Password
        <input
          ref={password}
          name="password"
          type="password"
          autoComplete="current-password"
          required
          {...fieldErrorProps('signin-error', failed)}
        />
      </label>
      {failed && (
        <p role="alert" className="error" id="signin-error">
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

function RegisterForm({ signIn, onSignInInstead }: { signIn: SignIn; onSignInInstead(email: string): void }) {
  const register = useRegister();
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
        signIn.mutate({ email: input.email, password: input.password, source: 'register' });
      },
    });
  };
  const error = register.error ?? (signIn.variables?.source === 'register' ? signIn.error : null);
  const taken = register.error instanceof ApiError && register.error.status === 409;
  const email = useRef<HTMLInputElement>(null);
  return (
    <form
      className="card"
      onSubmit={onSubmit}
      aria-labelledby="register-title"
      // Moving to this form, the user leaves the sign-in form's error behind.
      onFocus={() => {
        if (signIn.variables?.source === 'sign-in') signIn.reset();
      }}
    >
      <h2 id="register-title">Create an account</h2>
      <label>
        Name
        <input name="name" autoComplete="name" required maxLength={100} />
      </label>
      <label>
        Email
        <input
          name="email"
          type="email"
          autoComplete="email"
          required
          ref={email}
          {...fieldErrorProps('register-error', Boolean(error))}
        />
      </label>
      <label>
        Password <span className="hint">(at least 8 characters, not a common one)</span>
        <input
          name="password"
          type="password"
          autoComplete="new-password"
          required
          minLength={8}
          {...fieldErrorProps('register-error', Boolean(error))}
        />
      </label>
      {error && (
        <div role="alert" className="error" id="register-error">
          <p>{errorMessage(error)}</p>
          {taken && (
            <button type="button" className="secondary" onClick={() => onSignInInstead(email.current?.value ?? '')}>
              Sign in instead
            </button>
          )}
        </div>
      )}
      {done && !error && <p role="status">Account created; signing you in…</p>}
      <button type="submit" disabled={register.isPending}>
        {register.isPending ? 'Creating…' : 'Create account'}
      </button>
    </form>
  );
}
