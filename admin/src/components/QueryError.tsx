import { isApiError } from '../api/client';
import { ErrorBanner } from './ErrorBanner';
import { Forbidden } from './Forbidden';

/** A failed load: the 403 page when the role is not enough, else the problem in the error banner. */
export function QueryError({ error }: { error: unknown }) {
  if (!error) return null;
  if (isApiError(error, 'FB_ADMIN_FORBIDDEN')) return <Forbidden detail={error.detail} />;
  return <ErrorBanner error={error} />;
}
