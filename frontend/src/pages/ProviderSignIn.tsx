import { useSearchParams } from 'react-router';
import { authErrorMessage, providerStartUrl, useProviders } from '../api/identities.ts';

/** "Sign in with …" for every provider the gateway offers, and why the last provider sign-in failed. */
export function ProviderSignIn({ returnTo }: { returnTo: string }) {
  const providers = useProviders();
  const [params] = useSearchParams();
  const authError = params.get('authError');
  const list = providers.data ?? [];
  if (list.length === 0 && !authError) return null;
  return (
    <section className="card providers" aria-labelledby="providers-title">
      <h2 id="providers-title">Sign in with another account</h2>
      {authError && (
        <p role="alert" className="error">
          {authErrorMessage(authError)}
        </p>
      )}
      {list.map((p) => (
        <a key={p.id} className="button" href={providerStartUrl(p.id, returnTo)}>
          Sign in with {p.name}
        </a>
      ))}
    </section>
  );
}
