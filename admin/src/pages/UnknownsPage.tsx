import { Space, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { Link, useNavigate } from 'react-router-dom';
import type { UnknownOutcome } from '../api/types';
import { QueryError } from '../components/QueryError';
import { rowAttrs } from '../components/rowAttrs';
import { AskNowButton } from '../components/settlement/AskNowButton';
import { ProposeSettleButton } from '../components/settlement/ProposeSettleButton';
import { SettlementDecision } from '../components/settlement/SettlementDecision';
import { hasRole, useOperator } from '../hooks/useSession';
import { useUnknowns } from '../hooks/useUnknowns';
import { age, dateTime, won } from '../lib/format';
import { useI18n } from '../i18n';

/** Transfers whose outcome is unknown, oldest first: ask the bank, or settle by hand with a second operator. */
export default function UnknownsPage() {
  const { t } = useI18n();
  const operator = useOperator();
  const navigate = useNavigate();
  const unknowns = useUnknowns();
  const isOperator = hasRole(operator, 'operator');
  const now = Date.now();

  const columns: ColumnsType<UnknownOutcome> = [
    {
      title: t('common.id'),
      key: 'id',
      render: (_, u) => (
        <Link to={`/transfers/${encodeURIComponent(u.transfer.id)}`} onClick={(e) => e.stopPropagation()} className="fb-mono">
          {u.transfer.requestId}
        </Link>
      ),
    },
    {
      title: `${t('transfers.service')} · ${t('transfers.institution')}`,
      key: 'service',
      render: (_, u) => `${u.transfer.service} · ${u.transfer.institution}`,
    },
    { title: t('common.amount'), key: 'amount', align: 'right', render: (_, u) => won(t, u.transfer.amount) },
    {
      title: t('transfers.depositAccount'),
      key: 'account',
      render: (_, u) => (
        <span className="fb-mono">
          {u.transfer.depositBankCode} {u.transfer.depositAccount}
        </span>
      ),
    },
    {
      title: t('unknowns.age'),
      key: 'age',
      render: (_, u) => (
        <span title={dateTime(u.since)} data-testid="unknown-age">
          {age(t, u.since, now)}
        </span>
      ),
    },
    {
      title: t('unknowns.inquiries'),
      key: 'inquiries',
      render: (_, u) => (
        <span data-testid="unknown-inquiries">
          {u.transfer.inquiries}
          {u.transfer.needsOperator ? (
            <Tag color="red" style={{ marginLeft: 6 }}>
              {t('transfers.needsOperator')}
            </Tag>
          ) : null}
        </span>
      ),
    },
    {
      title: t('unknowns.settlement'),
      key: 'settlement',
      render: (_, u) =>
        u.settlement ? (
          <Space direction="vertical" size={0} data-testid="pending-settlement" data-outcome={u.settlement.outcome} data-proposed-by={u.settlement.proposedBy}>
            <span>
              <Tag color="warning">{t('settle.pending')}</Tag>
              {t(`settle.${u.settlement.outcome}`)}
            </span>
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t('settle.proposedBy')}: {u.settlement.proposedBy} · {dateTime(u.settlement.proposedAt)}
            </Typography.Text>
            <Typography.Text type="secondary" style={{ fontSize: 12 }} ellipsis={{ tooltip: u.settlement.evidence }}>
              {u.settlement.evidence}
            </Typography.Text>
          </Space>
        ) : (
          <Typography.Text type="secondary">{t('settle.none')}</Typography.Text>
        ),
    },
  ];
  if (isOperator) {
    columns.push({
      title: t('common.actions'),
      key: 'actions',
      fixed: 'right',
      render: (_, u) => (
        <Space wrap onClick={(e) => e.stopPropagation()}>
          <AskNowButton transferId={u.transfer.id} size="small" />
          {u.settlement?.status === 'pending' ? (
            <SettlementDecision settlement={u.settlement} me={operator.name} amount={u.transfer.amount} size="small" />
          ) : (
            <ProposeSettleButton transferId={u.transfer.id} size="small" />
          )}
        </Space>
      ),
    });
  }

  return (
    <div data-testid="unknowns-page">
      <Typography.Title level={3} style={{ marginTop: 0 }}>
        {t('unknowns.title')}
      </Typography.Title>
      <QueryError error={unknowns.error} />
      <Table<UnknownOutcome>
        rowKey={(u) => u.transfer.id}
        columns={columns}
        dataSource={unknowns.data?.items ?? []}
        loading={unknowns.isFetching && !unknowns.data}
        pagination={false}
        scroll={{ x: 'max-content' }}
        locale={{ emptyText: t('unknowns.empty') }}
        rowClassName={() => 'fb-clickable-row'}
        onRow={(u) =>
          rowAttrs(
            { 'data-testid': 'unknown-row', 'data-id': u.transfer.id, 'data-settlement': u.settlement?.status ?? 'none' },
            { onClick: () => navigate(`/transfers/${encodeURIComponent(u.transfer.id)}`) },
          )
        }
      />
    </div>
  );
}
