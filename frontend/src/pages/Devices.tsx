import { useState } from 'react';
import { ApiError } from '../api/client.ts';
import { useEndOtherSessions, useEndSession, useLoginSessions } from '../api/login-sessions.ts';
import { errorMessage } from '../api/queries.ts';
import type { LoginSession } from '../api/types.ts';
import { formatDate } from '../format.ts';
import { ConfirmDialog } from './ConfirmDialog.tsx';

/** What the user is being asked to confirm. */
type Asking = { kind: 'one'; session: LoginSession } | { kind: 'others'; count: number } | null;

/**
 * The profile's signed-in devices: each login session with its browser and system, when it
 * began and was last active, and which one is this device; sign one other device out, or every
 * other device at once, after a confirmation.
 */
export function Devices() {
  const sessions = useLoginSessions();
  const endOne = useEndSession();
  const endOthers = useEndOtherSessions();
  const [asking, setAsking] = useState<Asking>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const others = (sessions.data ?? []).filter((s) => !s.current);

  const ask = (next: Asking) => {
    endOne.reset();
    endOthers.reset();
    setNotice(null);
    setAsking(next);
  };
  const confirm = () => {
    if (asking?.kind === 'one') {
      const { session } = asking;
      endOne.mutate(session.id, {
        onSuccess: () => finish(`${session.userAgent} was signed out.`),
        // Ended meanwhile (elsewhere, or it expired): nothing left to do, and the list is read again.
        onError: (err) => {
          if (err instanceof ApiError && err.status === 404) finish(`${session.userAgent} was already signed out.`);
        },
      });
    } else if (asking?.kind === 'others') {
      endOthers.mutate(undefined, { onSuccess: () => finish('Every other device was signed out.') });
    }
  };
  const finish = (message: string) => {
    setAsking(null);
    setNotice(message);
  };
  const failure = asking?.kind === 'one' ? endOne.error : asking?.kind === 'others' ? endOthers.error : null;

  return (
    <section className="card" aria-labelledby="devices-title">
      <h2 id="devices-title">Signed-in devices</h2>
      {sessions.isPending && <p role="status">Loading your devices…</p>}
      {sessions.error && (
        <p role="alert" className="error">
          Could not load your devices: {errorMessage(sessions.error)}
        </p>
      )}
      {sessions.data && (
        <ul className="devices">
          {sessions.data.map((s) => (
            <DeviceRow key={s.id} session={s} onSignOut={() => ask({ kind: 'one', session: s })} />
          ))}
        </ul>
      )}
      {notice && <p role="status">{notice}</p>}
      {others.length > 0 && (
        <button type="button" className="danger" onClick={() => ask({ kind: 'others', count: others.length })}>
          Sign out everywhere else
        </button>
      )}
      {asking && (
        <ConfirmDialog
          title={asking.kind === 'one' ? `Sign out ${asking.session.userAgent}?` : 'Sign out everywhere else?'}
          confirmLabel="Sign out"
          pending={endOne.isPending || endOthers.isPending}
          error={failure && !(failure instanceof ApiError && failure.status === 404) ? errorMessage(failure) : null}
          onConfirm={confirm}
          onCancel={() => setAsking(null)}
        >
          <p>
            {asking.kind === 'one'
              ? 'That device will have to sign in again. Uploads running there stop.'
              : `${asking.count === 1 ? 'The other device' : `All ${asking.count} other devices`} will have to sign in again. This device stays signed in.`}
          </p>
        </ConfirmDialog>
      )}
    </section>
  );
}

function DeviceRow({ session, onSignOut }: { session: LoginSession; onSignOut(): void }) {
  return (
    <li className="device">
      <div>
        <strong>{session.userAgent}</strong>
        {session.current && <span className="badge">This device</span>}
        <p className="small">
          Signed in {session.createdAt ? formatDate(session.createdAt) : 'at an unknown time'} · last active{' '}
          {session.lastUsedAt ? formatDate(session.lastUsedAt) : 'unknown'}
        </p>
      </div>
      {!session.current && (
        <button type="button" className="secondary" onClick={onSignOut} aria-label={`Sign out ${session.userAgent}`}>
          Sign out
        </button>
      )}
    </li>
  );
}
