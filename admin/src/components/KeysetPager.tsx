import { LeftOutlined, RightOutlined } from '@ant-design/icons';
import { Button, Space, Typography } from 'antd';
import type { Keyset } from '../hooks/useKeyset';
import { useI18n } from '../i18n';

/** "Back" and "next page" over a keyset cursor stack. */
export function KeysetPager({ keyset, next, loading }: { keyset: Keyset; next: string | null | undefined; loading?: boolean }) {
  const { t } = useI18n();
  return (
    <Space style={{ marginTop: 16 }}>
      <Button data-testid="page-prev" icon={<LeftOutlined />} disabled={!keyset.canBack || loading} onClick={keyset.back}>
        {t('common.prevPage')}
      </Button>
      <Typography.Text type="secondary" data-testid="page-number">
        {t('common.page', { n: keyset.page })}
      </Typography.Text>
      <Button data-testid="page-next" disabled={!next || loading} onClick={() => next && keyset.next(next)}>
        {t('common.nextPage')} <RightOutlined />
      </Button>
    </Space>
  );
}
