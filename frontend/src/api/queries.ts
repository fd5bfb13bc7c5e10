import { type QueryClient, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { disposeUploadEngine } from '../uploads/engine-instance.ts';
import { ApiError, api } from './client.ts';
import { sessionExpiry } from './session-expiry.ts';
import type { FileItem, FilePage, StorageUsage, UploadItem, User } from './types.ts';

export const keys = {
  me: ['me'] as const,
  files: ['files'] as const,
  uploads: ['uploads'] as const,
  loginSessions: ['login-sessions'] as const,
  storage: ['storage'] as const,
  /** Set when the server ended the session (not the user signing out): the sign-in page says so. */
  sessionEnded: ['session-ended'] as const,
};

/** The signed-in user, or null; undefined while the first check runs. */
export function useMe() {
  return useQuery({
    queryKey: keys.me,
    queryFn: async () => {
      try {
        return (await api.get<{ user: User }>('/auth/me')).user;
      } catch (err) {
        if (err instanceof ApiError && err.status === 401) return null;
        throw err;
      }
    },
    staleTime: 5 * 60_000,
    retry: (count, err) => !(err instanceof ApiError && err.status < 500) && count < 2,
  });
}

export function useSignIn() {
  const client = useQueryClient();
  return useMutation({
    // `source`: which form asked (it shows the error); not sent.
    mutationFn: ({ email, password }: { email: string; password: string; source?: 'sign-in' | 'register' }) =>
      api.post<{ user: User }>('/auth/login', { email, password }),
    onSuccess: ({ user }) => {
      api.resetCsrf();
      client.setQueryData(keys.sessionEnded, false);
      client.setQueryData(keys.me, user);
    },
  });
}

export function useRegister() {
  return useMutation({
    mutationFn: (input: { name: string; email: string; password: string }) =>
      api.post<{ user: User }>('/auth/register', input),
  });
}

/** Signs out here and ends the session server-side; every cached query is dropped. */
export function useSignOut() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => api.post<void>('/auth/logout'),
    onSettled: () => signedOut(client),
  });
}

/**
 * Forgets the session here: uploads stop (their resume entries stay, so picking the files again
 * after signing in continues them) and every cached query is dropped. `ended`: the server ended
 * it (logout elsewhere, password change, account deletion), which the sign-in page then says.
 */
export function signedOut(client: QueryClient, ended = false): void {
  disposeUploadEngine();
  // Requests waiting for a sign-in in place fail now (as unauthenticated).
  sessionExpiry.settle(false);
  api.resetCsrf();
  client.removeQueries({ predicate: (q) => q.queryKey[0] !== keys.me[0] });
  client.setQueryData(keys.sessionEnded, ended);
  client.setQueryData(keys.me, null);
}

export const PAGE_SIZE = 20;

export function useFiles() {
  return useInfiniteQuery({
    queryKey: keys.files,
    initialPageParam: '',
    queryFn: ({ pageParam }) =>
      api.get<FilePage>(`/files?limit=${PAGE_SIZE}${pageParam ? `&cursor=${encodeURIComponent(pageParam)}` : ''}`),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

export function useRenameFile() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, name }: { id: string; name: string }) => api.patch<{ file: FileItem }>(`/files/${id}`, { name }),
    onSuccess: () => client.invalidateQueries({ queryKey: keys.files }),
  });
}

export function useDeleteFile() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.delete<void>(`/files/${id}`),
    onSuccess: () =>
      Promise.all([
        client.invalidateQueries({ queryKey: keys.files }),
        client.invalidateQueries({ queryKey: keys.storage }),
      ]),
  });
}

/** Storage used and the limits: shown up front, and checked before a file is sent. */
export function useStorage() {
  return useQuery({
    queryKey: keys.storage,
    queryFn: async () => (await api.get<{ usage: StorageUsage }>('/uploads/usage')).usage,
  });
}

/** Navigates to a short-lived presigned URL: the browser downloads; nothing is buffered in JS. */
export async function downloadFile(id: string): Promise<void> {
  const { url } = await api.get<{ url: string }>(`/files/${id}/download`);
  window.location.assign(url);
}

export function useServerUploads() {
  return useQuery({
    queryKey: keys.uploads,
    queryFn: async () => (await api.get<{ uploads: UploadItem[] }>('/uploads')).uploads,
    refetchInterval: 5000,
  });
}

export function useUpdateProfile() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: { name?: string; bio?: string }) => api.patch<{ user: User }>('/users/me', input),
    onSuccess: ({ user }) => client.setQueryData(keys.me, user),
  });
}

export function useChangePassword() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: { currentPassword: string; newPassword: string }) =>
      api.post<void>('/users/me/password', input),
    // The other devices were signed out: the devices list shows it.
    onSuccess: () => client.invalidateQueries({ queryKey: keys.loginSessions }),
  });
}

export function useDeleteAccount() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (password: string) => api.delete<void>('/users/me', { password }),
    onSuccess: () => signedOut(client),
  });
}

/** Whether the server ended the last session (read by the sign-in page; never fetched). */
export function useSessionEnded(): boolean {
  return (
    useQuery({ queryKey: keys.sessionEnded, queryFn: () => false, enabled: false, staleTime: Number.POSITIVE_INFINITY })
      .data === true
  );
}

/** A message for the user from any failure. */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof Error) return `Network problem: ${err.message}`;
  return 'Something went wrong';
}
