import { CheckOutlined } from '@ant-design/icons';
import { Button, Space, Table, Tag } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useMemo, useState } from 'react';
import { Link } from 'react-router-dom';
import type { ReconBreak } from '../../api/types';
import { useReconBreaks, useResolveBreak, type BreakFilters } from '../../hooks/useReconciliation';
import { dateTime } from '../../lib/format';
import { useI18n } from '../../i18n';
import { QueryError } from '../QueryError';
import { useReasonModal } from '../ReasonModal';
import { rowAttrs } from '../rowAttrs';

/** Breaks, oldest first, counted by category (click one to show only it); operators resolve open ones. */
export function ReconBreaksTable({ filters, canResolve }: { filters: BreakFilters; canResolve: boolean }) {
  const { t } = useI18n();
  const breaks = useReconBreaks(filters);
  const resolve = useResolveBreak();
  const reason = useReasonModal();
  const [category, setCategory] = useState<string | null>(null);
  const items = useMemo(() => breaks.data?.items ?? [], [breaks.data]);
  const counts = useMemo(() => {
    const m = new Map<string, number>();
    for (const b of items) m.set(b.category, (m.get(b.category) ?? 0) + 1);
    return [...m.entries()].sort((a, b) => b[1] - a[1]);
  }, [items]);
  const shown = category ? items.filter((b) => b.category === category) : items;

  const columns: ColumnsType<ReconBreak> = [
    { title: t('common.institution'), dataIndex: 'institution' },
    { title: t('recon.businessDate'), dataIndex: 'businessDate', render: (v: string) => <span className="fb-mono">{v}</span> },
    { title: t('recon.category'), dataIndex: 'category', render: (v: string) => <Tag color="orange">{v}</Tag> },
    { title: t('recon.subject'), dataIndex: 'subject', render: (v: string) => <span className="fb-mono">{v}</span> },
    {
      title: t('notices.transfer'),
      dataIndex: 'transferId',
      render: (v: string | null) => (v ? <Link to={`/transfers/${encodeURIComponent(v)}`} className="fb-mono">{v}</Link> : '—'),
    },
    { title: t('common.service'), dataIndex: 'service', render: (v: string | null) => v ?? '—' },
    { title: t('recon.ours'), dataIndex: 'ours', render: (v: string | null) => <span className="fb-mono">{v ?? '—'}</span> },
    { title: t('recon.bankSide'), dataIndex: 'bank', render: (v: string | null) => <span className="fb-mono">{v ?? '—'}</span> },
    { title: t('recon.detail'), dataIndex: 'detail' },
    {
      title: t('common.status'),
      dataIndex: 'status',
      render: (v: ReconBreak['status'], b) => (
        <Space direction="vertical" size={0}>
          <Tag color={v === 'open' ? 'error' : 'success'}>{t(`recon.status.${v}`)}</Tag>
          {b.resolvedBy ? (
            <span style={{ fontSize: 12 }}>
              {b.resolvedBy} · {dateTime(b.resolvedAt)}
              <br />
              {b.resolution}
            </span>
          ) : null}
        </Space>
      ),
    },
  ];
  if (canResolve) {
    columns.push({
      title: t('common.actions'),
      key: 'actions',
      render: (_, b) =>
        b.status === 'open' ? (
          <Button
            data-testid="resolve-break"
            size="small"
            icon={<CheckOutlined />}
            onClick={() =>
              reason.ask({
                title: t('recon.resolveTitle'),
                description: `${b.institution} ${b.businessDate} · ${b.category} · ${b.subject}`,
                successMessage: t('recon.resolved'),
                onSubmit: (r) => resolve.mutateAsync({ id: b.id, reason: r }),
              })
            }
          >
            {t('recon.resolve')}
          </Button>
        ) : null,
    });
  }

  return (
    <>
      <QueryError error={breaks.error} />
      <Space size={[6, 6]} wrap style={{ marginBottom: 12 }} data-testid="break-categories">
        <Tag.CheckableTag checked={category === null} onChange={() => setCategory(null)}>
          {t('recon.allCategories')} {items.length}
        </Tag.CheckableTag>
        {counts.map(([c, n]) => (
          <Tag.CheckableTag key={c} checked={category === c} onChange={(on) => setCategory(on ? c : null)} data-testid="break-category" data-category={c}>
            {c} {n}
          </Tag.CheckableTag>
        ))}
      </Space>
      <Table<ReconBreak>
        size="small"
        rowKey="id"
        columns={columns}
        dataSource={shown}
        loading={breaks.isFetching}
        pagination={{ pageSize: 50, hideOnSinglePage: true }}
        scroll={{ x: 'max-content' }}
        onRow={(b) => rowAttrs({ 'data-testid': 'break-row', 'data-id': b.id, 'data-status': b.status, 'data-category': b.category })}
      />
      {reason.modal}
    </>
  );
}
