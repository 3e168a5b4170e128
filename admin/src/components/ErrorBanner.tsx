import { Alert } from 'antd';
import { isApiError } from '../api/client';

/** What went wrong: the problem's detail (and the field at fault), in the one place tests and people look. */
export function ErrorBanner({ error, message }: { error?: unknown; message?: string }) {
  if (!error && !message) return null;
  const text = message ?? (isApiError(error) ? error.detail : error instanceof Error ? error.message : String(error));
  const field = isApiError(error) && error.field ? ` (${error.field})` : '';
  const code = isApiError(error) ? error.code : undefined;
  return (
    <Alert
      data-testid="error-banner"
      data-code={code}
      type="error"
      showIcon
      message={`${text}${field}`}
      style={{ marginBottom: 16 }}
    />
  );
}
