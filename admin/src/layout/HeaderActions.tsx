import { EyeOutlined, LogoutOutlined, UserOutlined } from '@ant-design/icons';
import { Button, Space, Tooltip, Typography } from 'antd';
import { useNavigate } from 'react-router-dom';
import type { Operator } from '../api/types';
import { LangToggle } from '../components/LangToggle';
import { RoleTag } from '../components/Tags';
import { useLogout } from '../hooks/useSession';
import { useI18n } from '../i18n';

/** Who is logged in (name, role, whether they may unmask), the language toggle and logging out. */
export function HeaderActions({ operator }: { operator: Operator }) {
  const { t } = useI18n();
  const logout = useLogout();
  const navigate = useNavigate();
  return (
    <Space size="middle" onClick={(e) => e.stopPropagation()}>
      <Space size={4} data-testid="current-operator">
        <UserOutlined />
        <Typography.Text strong data-testid="current-operator-name">
          {operator.name}
        </Typography.Text>
        <span data-testid="current-operator-role">
          <RoleTag role={operator.role} />
        </span>
        {operator.canUnmask ? (
          <Tooltip title={t('common.unmaskAudited')}>
            <EyeOutlined />
          </Tooltip>
        ) : null}
      </Space>
      <LangToggle />
      <Button
        data-testid="logout"
        size="small"
        icon={<LogoutOutlined />}
        loading={logout.isPending}
        onClick={() => logout.mutate(undefined, { onSettled: () => navigate('/login', { replace: true }) })}
      >
        {t('common.logout')}
      </Button>
    </Space>
  );
}
