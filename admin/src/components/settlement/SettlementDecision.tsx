import { CheckOutlined, CloseOutlined } from '@ant-design/icons';
import { Button, Space, Typography } from 'antd';
import type { Settlement } from '../../api/types';
import { useConfirmSettlement, useRejectSettlement } from '../../hooks/useSettlements';
import { useI18n } from '../../i18n';
import { won } from '../../lib/format';
import { useReasonModal } from '../ReasonModal';

/**
 * Confirm or reject a pending settlement. The proposer sees that a second operator must confirm; if they
 * try anyway, the API's 409 FB_ADMIN_FOUR_EYES shows in the error banner.
 */
export function SettlementDecision({ settlement, me, amount, size }: { settlement: Settlement; me: string; amount?: string; size?: 'small' | 'middle' }) {
  const { t } = useI18n();
  const confirm = useConfirmSettlement();
  const reject = useRejectSettlement();
  const reason = useReasonModal();
  const mine = settlement.proposedBy === me;
  const description = (
    <>
      {t(`settle.${settlement.outcome}`)}
      {amount ? ` · ${won(t, amount)}` : ''} · {t('settle.proposedBy')}: {settlement.proposedBy}
      <br />
      <Typography.Text type="secondary">{settlement.evidence}</Typography.Text>
    </>
  );
  return (
    <Space direction="vertical" size={4} onClick={(e) => e.stopPropagation()}>
      <Space size={4} wrap>
        <Button
          data-testid="confirm-settle"
          size={size}
          type="primary"
          icon={<CheckOutlined />}
          onClick={() =>
            reason.ask({
              title: t('settle.confirmTitle'),
              description,
              successMessage: t('settle.confirmed'),
              onSubmit: (r) => confirm.mutateAsync({ sid: settlement.id, reason: r }),
            })
          }
        >
          {t('settle.confirm')}
        </Button>
        <Button
          data-testid="reject-settle"
          size={size}
          danger
          icon={<CloseOutlined />}
          onClick={() =>
            reason.ask({
              title: t('settle.rejectTitle'),
              description,
              danger: true,
              successMessage: t('settle.rejected'),
              onSubmit: (r) => reject.mutateAsync({ sid: settlement.id, reason: r }),
            })
          }
        >
          {t('settle.reject')}
        </Button>
      </Space>
      {mine ? (
        <Typography.Text type="warning" data-testid="four-eyes-note" style={{ fontSize: 12 }}>
          {t('settle.needsSecond')}
        </Typography.Text>
      ) : null}
      {reason.modal}
    </Space>
  );
}
