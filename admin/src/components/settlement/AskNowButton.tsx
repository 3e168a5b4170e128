import { SyncOutlined } from '@ant-design/icons';
import { Button } from 'antd';
import { useInquire } from '../../hooks/useTransfers';
import { useI18n } from '../../i18n';
import { useReasonModal } from '../ReasonModal';

/** Ask the bank about a transfer now (an inquiry), with a reason. */
export function AskNowButton({ transferId, size }: { transferId: string; size?: 'small' | 'middle' }) {
  const { t } = useI18n();
  const inquire = useInquire();
  const reason = useReasonModal();
  return (
    <>
      <Button
        data-testid="ask-now"
        size={size}
        icon={<SyncOutlined />}
        onClick={(e) => {
          e.stopPropagation();
          reason.ask({
            title: t('transfer.askNowTitle'),
            description: transferId,
            successMessage: t('transfer.askNowQueued'),
            onSubmit: (r) => inquire.mutateAsync({ id: transferId, reason: r }),
          });
        }}
      >
        {t('transfer.askNow')}
      </Button>
      {reason.modal}
    </>
  );
}
