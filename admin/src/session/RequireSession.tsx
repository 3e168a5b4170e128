import { Button, Result } from 'antd';
import type { ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router-dom';
import { PageSpinner } from '../components/PageSpinner';
import { ErrorBanner } from '../components/ErrorBanner';
import { useSession } from '../hooks/useSession';
import { useI18n } from '../i18n';

/** Renders its children only with a session (else the login screen), and only once the password is changed. */
export function RequireSession({ children, passwordScreen = false }: { children: ReactNode; passwordScreen?: boolean }) {
  const { data, isPending, error, refetch } = useSession();
  const location = useLocation();
  const { t } = useI18n();
  if (isPending) return <PageSpinner />;
  if (error) {
    return (
      <Result status="warning" title={t('common.loadFailed')} extra={<Button onClick={() => void refetch()}>{t('common.refresh')}</Button>}>
        <ErrorBanner error={error} />
      </Result>
    );
  }
  if (!data) return <Navigate to="/login" replace state={{ from: location }} />;
  if (data.operator.mustChangePassword && !passwordScreen) return <Navigate to="/password" replace />;
  return <>{children}</>;
}
