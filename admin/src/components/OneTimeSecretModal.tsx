import { CopyOutlined } from '@ant-design/icons';
import { Alert, App, Button, Modal, Typography } from 'antd';
import { useI18n } from '../i18n';

/** A secret the API shows once (a new API key, a one-time password): shown here, copyable, then gone. */
export function OneTimeSecretModal({ title, secret, testId, warning, onClose }: { title: string; secret: string | null; testId: string; warning: string; onClose: () => void }) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const copy = async () => {
    if (!secret) return;
    try {
      await navigator.clipboard.writeText(secret);
      void message.success(t('common.copied'));
    } catch {
      // no clipboard (plain http): the text is selectable
    }
  };
  return (
    <Modal
      open={secret !== null}
      title={title}
      onCancel={onClose}
      maskClosable={false}
      destroyOnHidden
      footer={[
        <Button key="copy" icon={<CopyOutlined />} onClick={() => void copy()}>
          {t('common.copy')}
        </Button>,
        <Button key="close" type="primary" data-testid="secret-close" onClick={onClose}>
          {t('common.close')}
        </Button>,
      ]}
    >
      <Alert type="warning" showIcon message={warning} style={{ marginBottom: 12 }} />
      <Typography.Paragraph>
        <span className="fb-secret" data-testid={testId} style={{ display: 'block' }}>
          {secret}
        </span>
      </Typography.Paragraph>
    </Modal>
  );
}
