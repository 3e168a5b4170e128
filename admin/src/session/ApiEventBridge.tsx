import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { useLocation, useNavigate } from 'react-router-dom';
import { onApiEvent } from '../api/client';
import { SESSION_KEY } from '../hooks/useSession';

/** Turns the API's "who are you?" answers into navigation: 401 → login, password change → its screen; a stale CSRF token is fetched again. */
export function ApiEventBridge() {
  const navigate = useNavigate();
  const location = useLocation();
  const qc = useQueryClient();
  const here = useRef(location);
  here.current = location;
  useEffect(
    () =>
      onApiEvent((event) => {
        const at = here.current;
        if (event.kind === 'unauthenticated') {
          if (at.pathname === '/login') return;
          qc.setQueryData(SESSION_KEY, null);
          navigate('/login', { replace: true, state: { from: at } });
        } else if (event.kind === 'csrf') {
          // The token went stale (a new session elsewhere, a restart): fetch the current one for the next try.
          void qc.invalidateQueries({ queryKey: SESSION_KEY });
        } else if (event.kind === 'password-change') {
          void qc.invalidateQueries({ queryKey: SESSION_KEY });
          if (at.pathname !== '/password') navigate('/password');
        }
      }),
    [navigate, qc],
  );
  return null;
}
