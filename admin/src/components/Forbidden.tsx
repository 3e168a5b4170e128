import { Button, Result } from 'antd';
import { Link } from 'react-router-dom';
import type { Role } from '../api/types';
import { useI18n } from '../i18n';
import { ErrorBanner } from './ErrorBanner';

/** The 403 page: the operator's role is not enough, or the API said so. */
export function Forbidden({ role, detail }: { role?: Role; detail?: string }) {
  const { t } = useI18n();
  return (
    <div data-testid="forbidden">
      <Result
        status="403"
        title={t('forbidden.title')}
        subTitle={role ? t('forbidden.subtitle', { role: t(`role.${role}`) }) : t('forbidden.api')}
        extra={
          <>
            {detail ? <ErrorBanner message={detail} /> : null}
            <Link to="/">
              <Button type="primary">{t('forbidden.home')}</Button>
            </Link>
          </>
        }
      />
    </div>
  );
}
