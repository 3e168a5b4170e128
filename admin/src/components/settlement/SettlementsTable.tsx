import { Table } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import type { Settlement } from '../../api/types';
import { dateTime } from '../../lib/format';
import { useI18n } from '../../i18n';
import { rowAttrs } from '../rowAttrs';
import { SettlementStatusTag } from '../Tags';
import { SettlementDecision } from './SettlementDecision';

/** A transfer's manual settlements; pending ones can be confirmed or rejected by an operator. */
export function SettlementsTable({ settlements, me, canAct, amount }: { settlements: readonly Settlement[]; me: string; canAct: boolean; amount: string }) {
  const { t } = useI18n();
  const columns: ColumnsType<Settlement> = [
    { title: t('settle.outcome'), dataIndex: 'outcome', render: (v: Settlement['outcome']) => t(`settle.${v}`) },
    { title: t('common.status'), dataIndex: 'status', render: (v: Settlement['status']) => <SettlementStatusTag status={v} /> },
    {
      title: t('settle.proposedBy'),
      key: 'proposed',
      render: (_, s) => (
        <>
          {s.proposedBy}
          <br />
          {dateTime(s.proposedAt)}
        </>
      ),
    },
    { title: t('settle.evidence'), dataIndex: 'evidence' },
    { title: t('common.reason'), dataIndex: 'reason' },
    {
      title: t('settle.decidedBy'),
      key: 'decided',
      render: (_, s) =>
        s.decidedBy ? (
          <>
            {s.decidedBy} · {dateTime(s.decidedAt)}
            <br />
            {s.decisionReason}
          </>
        ) : (
          '—'
        ),
    },
    {
      title: t('common.actions'),
      key: 'actions',
      render: (_, s) => (canAct && s.status === 'pending' ? <SettlementDecision settlement={s} me={me} amount={amount} size="small" /> : null),
    },
  ];
  return (
    <Table<Settlement>
      size="small"
      rowKey="id"
      columns={columns}
      dataSource={[...settlements]}
      pagination={false}
      scroll={{ x: 'max-content' }}
      onRow={(s) => rowAttrs({ 'data-testid': 'settlement-row', 'data-id': s.id, 'data-status': s.status })}
    />
  );
}
