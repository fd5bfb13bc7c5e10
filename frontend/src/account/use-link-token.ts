import { useEffect, useState } from 'react';
import { useLocation, useNavigate, useSearchParams } from 'react-router';

/**
 * The `?token=` of a mailed link, read once; the address bar (and so the browser history) then
 * drops it, so the one-time secret is not left behind on a shared computer.
 */
export function useLinkToken(): string {
  const [params] = useSearchParams();
  const [token] = useState(() => params.get('token') ?? '');
  const navigate = useNavigate();
  const { pathname } = useLocation();
  useEffect(() => {
    if (params.has('token')) navigate(pathname, { replace: true });
  }, [params, navigate, pathname]);
  return token;
}
