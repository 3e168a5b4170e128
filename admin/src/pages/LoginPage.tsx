import { LockOutlined, UserOutlined } from '@ant-design/icons';
import { Button, Form, Input, Typography } from 'antd';
import { Navigate, useLocation, useNavigate } from 'react-router-dom';
import { isApiError } from '../api/client';
import { CenteredCard } from '../components/CenteredCard';
import { ErrorBanner } from '../components/ErrorBanner';
import { useLogin, useSession } from '../hooks/useSession';
import { useI18n } from '../i18n';

interface LoginForm {
  name: string;
  password: string;
}

function cameFrom(state: unknown): string {
  if (typeof state !== 'object' || state === null || !('from' in state)) return '/';
  const from = state.from;
  if (typeof from !== 'object' || from === null || !('pathname' in from) || typeof from.pathname !== 'string') return '/';
  if (from.pathname === '/login' || from.pathname === '/password') return '/';
  const search = 'search' in from && typeof from.search === 'string' ? from.search : '';
  return `${from.pathname}${search}`;
}

/** Logging in; a locked-out operator is told so, distinctly from a wrong password. */
export default function LoginPage() {
  const { t } = useI18n();
  const session = useSession();
  const login = useLogin();
  const navigate = useNavigate();
  const location = useLocation();
  const target = cameFrom(location.state);

  if (session.data && !login.isPending) {
    return <Navigate to={session.data.operator.mustChangePassword ? '/password' : target} replace />;
  }

  const onFinish = (values: LoginForm) => {
    login.mutate(values, {
      onSuccess: (s) => navigate(s.operator.mustChangePassword ? '/password' : target, { replace: true }),
    });
  };

  const error = login.error;
  const message = !error ? undefined : isApiError(error, 'FB_ADMIN_LOCKED') ? t('login.locked') : isApiError(error, 'FB_ADMIN_BAD_LOGIN') ? t('login.bad') : undefined;

  return (
    <CenteredCard title={t('login.title')}>
      {error ? (
        <div data-locked={isApiError(error, 'FB_ADMIN_LOCKED') ? 'true' : undefined}>
          <ErrorBanner error={error} message={message} />
        </div>
      ) : null}
      <Form<LoginForm> layout="vertical" onFinish={onFinish} requiredMark={false} disabled={login.isPending}>
        <Form.Item name="name" label={t('login.name')} rules={[{ required: true, message: t('login.required') }]}>
          <Input data-testid="login-name" prefix={<UserOutlined />} autoComplete="username" autoFocus maxLength={64} />
        </Form.Item>
        <Form.Item name="password" label={t('login.password')} rules={[{ required: true, message: t('login.required') }]}>
          <Input.Password data-testid="login-password" prefix={<LockOutlined />} autoComplete="current-password" maxLength={200} />
        </Form.Item>
        <Button data-testid="login-submit" type="primary" htmlType="submit" block loading={login.isPending}>
          {t('login.submit')}
        </Button>
      </Form>
      <Typography.Paragraph type="secondary" style={{ marginTop: 16, marginBottom: 0, fontSize: 12 }}>
        {t('app.title')}
      </Typography.Paragraph>
    </CenteredCard>
  );
}
