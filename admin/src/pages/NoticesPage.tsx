import { SearchOutlined } from '@ant-design/icons';
import { Button, Card, Input, Table, Tag } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import type { Notice, NoticeGap } from '../api/types';
import { KeysetPager } from '../components/KeysetPager';
import { PageTitle } from '../components/PageTitle';
import { QueryError } from '../components/QueryError';
import { rowAttrs } from '../components/rowAttrs';
import { useKeyset } from '../hooks/useKeyset';
import { useNoticeGaps, useNotices } from '../hooks/useNotices';
import { dateTime, won } from '../lib/format';
import { useI18n } from '../i18n';

function NoticesTable() {
  const { t } = useI18n();
  const [draft, setDraft] = useState('');
  const [institution, setInstitution] = useState('');
  const keyset = useKeyset(institution);
  const notices = useNotices(institution, keyset.after);
  const columns: ColumnsType<Notice> = [
    { title: t('notices.receivedAt'), dataIndex: 'receivedAt', render: (v: string) => dateTime(v), width: 170 },
    { title: t('common.institution'), dataIndex: 'institution' },
    { title: t('notices.kind'), dataIndex: 'kind', render: (v: string) => <Tag>{v}</Tag> },
    { title: t('notices.message'), dataIndex: 'message', render: (v: string) => <span className="fb-mono">{v}</span> },
    { title: t('notices.sendDate'), dataIndex: 'sendDate', render: (v: string) => <span className="fb-mono">{v}</span> },
    { title: t('notices.seqNo'), dataIndex: 'seqNo', render: (v: string) => <span className="fb-mono">{v}</span> },
    { title: t('common.account'), dataIndex: 'account', render: (v: string | null) => <span className="fb-mono">{v ?? '—'}</span> },
    { title: t('common.amount'), dataIndex: 'amount', align: 'right', render: (v: string | null) => won(t, v) },
    {
      title: t('notices.transfer'),
      dataIndex: 'transferId',
      render: (v: string | null) => (v ? <Link to={`/transfers/${encodeURIComponent(v)}`} className="fb-mono">{v}</Link> : '—'),
    },
  ];
  return (
    <Card size="small" title={t('notices.title')} style={{ marginBottom: 16 }}>
      <form
        className="fb-filters"
        onSubmit={(e) => {
          e.preventDefault();
          setInstitution(draft.trim());
        }}
      >
        <label>
          {t('common.institution')}
          <Input data-testid="notice-institution" value={draft} onChange={(e) => setDraft(e.target.value)} maxLength={32} allowClear style={{ width: 160 }} />
        </label>
        <Button data-testid="notice-search" htmlType="submit" icon={<SearchOutlined />}>
          {t('common.search')}
        </Button>
      </form>
      <QueryError error={notices.error} />
      <Table<Notice>
        size="small"
        rowKey="id"
        columns={columns}
        dataSource={notices.data?.items ?? []}
        loading={notices.isFetching}
        pagination={false}
        scroll={{ x: 'max-content' }}
        onRow={(n) => rowAttrs({ 'data-testid': 'notice-row', 'data-id': n.id })}
      />
      <KeysetPager keyset={keyset} next={notices.data?.next} loading={notices.isFetching} />
    </Card>
  );
}

function GapsTable() {
  const { t } = useI18n();
  const gaps = useNoticeGaps();
  const columns: ColumnsType<NoticeGap> = [
    { title: t('common.institution'), dataIndex: 'institution' },
    { title: t('notices.kind'), dataIndex: 'kind' },
    { title: t('notices.date'), dataIndex: 'date', render: (v: string) => <span className="fb-mono">{v}</span> },
    { title: t('notices.seqNo'), dataIndex: 'seqNo', render: (v: string) => <span className="fb-mono">{v}</span> },
    {
      title: t('common.status'),
      dataIndex: 'status',
      render: (v: string) => <Tag color={v === 'open' ? 'error' : 'success'}>{v === 'open' ? t('gap.open') : v === 'recovered' ? t('gap.recovered') : v}</Tag>,
    },
  ];
  return (
    <Card size="small" title={t('notices.gaps')}>
      <QueryError error={gaps.error} />
      <Table<NoticeGap>
        size="small"
        rowKey={(g) => `${g.institution}/${g.kind}/${g.date}/${g.seqNo}`}
        columns={columns}
        dataSource={gaps.data?.items ?? []}
        loading={gaps.isFetching}
        pagination={false}
        onRow={(g) => rowAttrs({ 'data-testid': 'gap-row', 'data-status': g.status })}
      />
    </Card>
  );
}

/** Deposit and failure notices (newest first) and the notice numbers found missing. */
export default function NoticesPage() {
  const { t } = useI18n();
  return (
    <div data-testid="notices-page">
      <PageTitle>{t('nav.notices')}</PageTitle>
      <NoticesTable />
      <GapsTable />
    </div>
  );
}
