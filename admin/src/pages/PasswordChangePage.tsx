import { App, Button, Form, Input, Typography } from 'antd';
import { useNavigate } from 'react-router-dom';
import { CenteredCard } from '../components/CenteredCard';
import { ErrorBanner } from '../components/ErrorBanner';
import { useChangePassword, useSession } from '../hooks/useSession';
import { useI18n } from '../i18n';

interface PasswordForm {
  current: string;
  next: string;
}

export const PASSWORD_MIN = 12;

/** Changing one's own password (required after a one-time password). */
export default function PasswordChangePage() {
  const { t } = useI18n();
  const { message } = App.useApp();
  const session = useSession();
  const change = useChangePassword();
  const navigate = useNavigate();
  const mustChange = session.data?.operator.mustChangePassword ?? false;

  const onFinish = (values: PasswordForm) => {
    change.mutate(values, {
      onSuccess: () => {
        void message.success(t('password.changed'));
        navigate('/', { replace: true });
      },
    });
  };

  return (
    <CenteredCard title={t('password.title')}>
      {mustChange ? <Typography.Paragraph data-testid="must-change-password">{t('password.explain')}</Typography.Paragraph> : null}
      <ErrorBanner error={change.error} />
      <Form<PasswordForm> layout="vertical" onFinish={onFinish} requiredMark={false} disabled={change.isPending}>
        <Form.Item name="current" label={t('password.current')} rules={[{ required: true, message: t('login.required') }]}>
          <Input.Password data-testid="pw-current" autoComplete="current-password" maxLength={200} autoFocus />
        </Form.Item>
        <Form.Item
          name="next"
          label={t('password.next')}
          rules={[
            { required: true, message: t('login.required') },
            { min: PASSWORD_MIN, message: t('password.tooShort') },
          ]}
        >
          <Input.Password data-testid="pw-next" autoComplete="new-password" maxLength={200} />
        </Form.Item>
        <Button data-testid="pw-submit" type="primary" htmlType="submit" block loading={change.isPending}>
          {t('password.submit')}
        </Button>
      </Form>
    </CenteredCard>
  );
}
