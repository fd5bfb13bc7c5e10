import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from './client.ts';
import { keys } from './queries.ts';
import type { LoginSession } from './types.ts';

/** The signed-in devices, this one first. */
export function useLoginSessions() {
  return useQuery({
    queryKey: keys.loginSessions,
    queryFn: async () => (await api.get<{ sessions: LoginSession[] }>('/auth/sessions')).sessions,
  });
}

/** Signs one other device out; the list is read again whatever the answer (it may have ended meanwhile). */
export function useEndSession() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.delete<void>(`/auth/sessions/${encodeURIComponent(id)}`),
    onSettled: () => client.invalidateQueries({ queryKey: keys.loginSessions }),
  });
}

/** "Sign out everywhere else": every session but this one ends. */
export function useEndOtherSessions() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: () => api.post<void>('/auth/sessions/end-others'),
    onSettled: () => client.invalidateQueries({ queryKey: keys.loginSessions }),
  });
}
