import { Card, Descriptions, Tag, Typography } from 'antd';
import type { TransferDetail } from '../../api/types';
import { dateTime, won } from '../../lib/format';
import { useI18n } from '../../i18n';
import { TransferStateTag } from '../Tags';

/** What the transfer is: who asked, to where, how much, where it stands. Accounts and names as the API sent them. */
export function TransferSummaryCard({ transfer }: { transfer: TransferDetail }) {
  const { t } = useI18n();
  const mono = (v: string | null) => <span className="fb-mono">{v ?? '—'}</span>;
  return (
    <Card size="small" title={t('transfer.summary')} style={{ marginBottom: 16 }} data-testid="transfer-summary">
      <Descriptions size="small" bordered column={{ xs: 1, md: 2, xl: 3 }}>
        <Descriptions.Item label={t('transfers.state')}>
          <span data-testid="transfer-state" data-state={transfer.state}>
            <TransferStateTag state={transfer.state} />
          </span>
          {transfer.needsOperator ? <Tag color="red">{t('transfers.needsOperator')}</Tag> : null}
        </Descriptions.Item>
        <Descriptions.Item label={t('transfers.kind')}>{t(`kind.${transfer.kind}`)}</Descriptions.Item>
        <Descriptions.Item label={t('common.amount')}>
          <Typography.Text strong>{won(t, transfer.amount)}</Typography.Text>
        </Descriptions.Item>
        <Descriptions.Item label={t('transfers.requestId')}>{mono(transfer.requestId)}</Descriptions.Item>
        <Descriptions.Item label={t('transfers.service')}>{transfer.service}</Descriptions.Item>
        <Descriptions.Item label={t('transfers.institution')}>{transfer.institution}</Descriptions.Item>
        <Descriptions.Item label={t('transfers.depositAccount')}>
          <span className="fb-mono" data-testid="deposit-account">
            {transfer.depositBankCode} {transfer.depositAccount}
          </span>
        </Descriptions.Item>
        <Descriptions.Item label={t('transfer.withdrawAccount')}>
          <span className="fb-mono" data-testid="withdraw-account">
            {transfer.withdrawAccount}
          </span>
        </Descriptions.Item>
        <Descriptions.Item label={t('transfer.recipientName')}>
          <span data-testid="recipient-name">{transfer.recipientName || '—'}</span>
        </Descriptions.Item>
        <Descriptions.Item label={t('transfer.memo')}>{transfer.oneWon ? <Typography.Text type="secondary">{t('transfer.memoSealed')}</Typography.Text> : transfer.memo || '—'}</Descriptions.Item>
        <Descriptions.Item label={t('transfer.fee')}>{won(t, transfer.fee)}</Descriptions.Item>
        <Descriptions.Item label={t('transfers.seqNo')}>{mono(transfer.seqNo)}</Descriptions.Item>
        <Descriptions.Item label={t('transfer.sendDate')}>{mono(transfer.sendDate)}</Descriptions.Item>
        <Descriptions.Item label={t('transfers.responseCode')}>
          {mono(transfer.responseCode)} {transfer.responseMessage ?? ''}
        </Descriptions.Item>
        <Descriptions.Item label={t('transfer.inquiries')}>{transfer.inquiries}</Descriptions.Item>
        {transfer.consentId ? <Descriptions.Item label={t('transfer.consentId')}>{mono(transfer.consentId)}</Descriptions.Item> : null}
        {transfer.payerNumber ? <Descriptions.Item label={t('transfer.payerNumber')}>{mono(transfer.payerNumber)}</Descriptions.Item> : null}
        {transfer.oneWon ? <Descriptions.Item label={t('transfer.oneWon')}>{t('common.yes')}</Descriptions.Item> : null}
        <Descriptions.Item label={t('common.createdAt')}>{dateTime(transfer.createdAt)}</Descriptions.Item>
        <Descriptions.Item label={t('common.updatedAt')}>{dateTime(transfer.updatedAt)}</Descriptions.Item>
      </Descriptions>
    </Card>
  );
}
