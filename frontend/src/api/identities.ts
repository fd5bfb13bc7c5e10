import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { API_BASE, api } from './client.ts';

/** An identity provider this deployment offers ("Sign in with …"). */
export interface Provider {
  id: string;
  name: string;
}

/** A provider account linked to the signed-in user. */
export interface LinkedIdentity {
  provider: string;
  name: string;
  email: string;
  linkedAt: string;
}

const identityKeys = {
  providers: ['providers'] as const,
  identities: ['identities'] as const,
};

export function useProviders() {
  return useQuery({
    queryKey: identityKeys.providers,
    queryFn: async () => (await api.get<{ providers: Provider[] }>('/auth/providers')).providers,
    staleTime: Number.POSITIVE_INFINITY,
  });
}

export function useIdentities() {
  return useQuery({
    queryKey: identityKeys.identities,
    queryFn: async () => (await api.get<{ identities: LinkedIdentity[] }>('/auth/identities')).identities,
  });
}

export function useUnlinkIdentity() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (provider: string) => api.delete<void>(`/auth/identities/${encodeURIComponent(provider)}`),
    onSuccess: () => client.invalidateQueries({ queryKey: identityKeys.identities }),
  });
}

/** Where a "Sign in with …" link goes: a full navigation to the gateway, which sends the browser on to the provider. */
export function providerStartUrl(provider: string, returnTo: string): string {
  return `${API_BASE}/auth/oidc/${encodeURIComponent(provider)}/start?returnTo=${encodeURIComponent(returnTo)}`;
}

/** What each `?authError=<reason>` the gateway's callback sends back means to the user (docs/security.md). */
const AUTH_ERROR_MESSAGES: Record<string, string> = {
  state_mismatch: 'That sign-in expired or was started in another browser tab. Please try again.',
  access_denied: 'Sign-in was cancelled.',
  provider_error: 'The sign-in provider answered with an error. Please try again.',
  code_rejected: 'The sign-in provider refused to complete the sign-in. Please try again.',
  id_token_invalid: 'The sign-in provider’s answer could not be verified. Please try again.',
  email_unverified:
    'Your account at that provider has no verified email address. Verify your email there, then try again.',
  account_exists:
    'An account with this email address already exists. Sign in with its password and verify your email; then this provider can sign you in too.',
  provider_unavailable: 'The sign-in provider could not be reached. Please try again in a moment.',
};

export function authErrorMessage(reason: string): string {
  return AUTH_ERROR_MESSAGES[reason] ?? 'Signing in did not work. Please try again.';
}
