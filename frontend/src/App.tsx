import { QueryClient, QueryClientProvider, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { BrowserRouter, Navigate, NavLink, Outlet, Route, Routes, useLocation } from 'react-router';
import { SessionExpiredBanner } from './account/SessionExpiredBanner.tsx';
import { VerifyEmailBanner } from './account/VerifyEmailBanner.tsx';
import { api } from './api/client.ts';
import { errorMessage, keys, signedOut, useMe, useSignOut } from './api/queries.ts';
import { sessionExpiry } from './api/session-expiry.ts';
import { Files } from './pages/Files.tsx';
import { ForgotPassword } from './pages/ForgotPassword.tsx';
import { Landing } from './pages/Landing.tsx';
import { NotFound } from './pages/NotFound.tsx';
import { Profile } from './pages/Profile.tsx';
import { ResetPassword } from './pages/ResetPassword.tsx';
import { Uploads } from './pages/Uploads.tsx';
import { VerifyEmail } from './pages/VerifyEmail.tsx';
import { UploadEngineProvider } from './uploads/engine-context.tsx';
import { UploadPanel } from './uploads/UploadPanel.tsx';

const queryClient = new QueryClient({ defaultOptions: { queries: { refetchOnWindowFocus: true, retry: 1 } } });

export function App() {
  return (
    <QueryClientProvider client={queryClient}>
      <BrowserRouter>
        <SessionWatcher />
        <Routes>
          <Route path="/" element={<Landing />} />
          <Route path="/forgot-password" element={<ForgotPassword />} />
          <Route path="/reset-password" element={<ResetPassword />} />
          <Route path="/verify-email" element={<VerifyEmail />} />
          <Route element={<RequireUser />}>
            <Route path="/files" element={<Files />} />
            <Route path="/uploads" element={<Uploads />} />
            <Route path="/profile" element={<Profile />} />
          </Route>
          <Route path="*" element={<NotFound />} />
        </Routes>
      </BrowserRouter>
    </QueryClientProvider>
  );
}

/**
 * A failed silent refresh anywhere means the session is over. A signed-in user signs in again in
 * place (SessionExpiredBanner) while the requests that met it wait; an anonymous visit's refresh
 * fails too, and that is no news.
 */
function SessionWatcher() {
  const client = useQueryClient();
  useEffect(() => {
    api.reauthenticate = () => {
      if (client.getQueryData(keys.me)) return sessionExpiry.wait();
      signedOut(client, false);
      return Promise.resolve(false);
    };
  }, [client]);
  return null;
}

/** Waits for the session check before deciding; anonymous visitors go to sign-in and come back. */
function RequireUser() {
  const me = useMe();
  const location = useLocation();
  if (me.isPending)
    return (
      <p role="status" className="loading">
        Checking your session…
      </p>
    );
  if (me.isError)
    return (
      <p role="alert" className="error">
        Could not reach the server: {errorMessage(me.error)}
      </p>
    );
  if (!me.data) return <Navigate to="/" replace state={{ from: location.pathname }} />;
  return (
    <UploadEngineProvider>
      <Header name={me.data.name} />
      <SessionExpiredBanner user={me.data} />
      <VerifyEmailBanner user={me.data} />
      <div id="content" tabIndex={-1}>
        <Outlet />
      </div>
      <UploadPanel />
      <HeadingFocus />
    </UploadEngineProvider>
  );
}

/** After a page change focus goes to the new page's heading, not to the document body. */
function HeadingFocus() {
  const { pathname } = useLocation();
  const first = useRef(true);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the page change is the trigger.
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    const heading = document.querySelector<HTMLElement>('#content h1');
    if (!heading) return;
    heading.tabIndex = -1;
    heading.focus();
  }, [pathname]);
  return null;
}

function Header({ name }: { name: string }) {
  const signOut = useSignOut();
  return (
    <header className="top">
      <a className="skip" href="#content">
        Skip to content
      </a>
      <nav aria-label="Main">
        <span className="brand">lfusys</span>
        <NavLink to="/files">Files</NavLink>
        <NavLink to="/uploads">Uploads</NavLink>
        <NavLink to="/profile">Profile</NavLink>
      </nav>
      <div className="who">
        <span>{name}</span>
        <button type="button" onClick={() => signOut.mutate()} disabled={signOut.isPending}>
          Sign out
        </button>
      </div>
    </header>
  );
}
