import { useIdentities, useUnlinkIdentity } from '../api/identities.ts';
import { errorMessage } from '../api/queries.ts';

/** The provider accounts that sign in to this account, each with Unlink. */
export function LinkedIdentities() {
  const identities = useIdentities();
  const unlink = useUnlinkIdentity();
  const list = identities.data ?? [];
  return (
    <section className="card" aria-labelledby="identities-title">
      <h2 id="identities-title">Linked sign-in providers</h2>
      {list.length === 0 ? (
        <p className="empty">None: you sign in with your password.</p>
      ) : (
        <ul className="identities">
          {list.map((i) => (
            <li key={i.provider}>
              <strong>{i.name}</strong> ({i.email}), linked {new Date(i.linkedAt).toLocaleDateString()}{' '}
              <button
                type="button"
                onClick={() => unlink.mutate(i.provider)}
                disabled={unlink.isPending}
                aria-label={`Unlink ${i.name}`}
              >
                Unlink
              </button>
            </li>
          ))}
        </ul>
      )}
      {unlink.error && (
        <p role="alert" className="error">
          {errorMessage(unlink.error)}
        </p>
      )}
    </section>
  );
}
