import { Table, Tag } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import type { OneWon, OneWonState } from '../api/types';
import { ONE_WON_STATES } from '../api/types';
import { KeysetPager } from '../components/KeysetPager';
import { NativeSelect } from '../components/NativeSelect';
import { PageTitle } from '../components/PageTitle';
import { QueryError } from '../components/QueryError';
import { rowAttrs } from '../components/rowAttrs';
import { useKeyset } from '../hooks/useKeyset';
import { useOneWon } from '../hooks/useOneWon';
import { dateTime } from '../lib/format';
import { useI18n } from '../i18n';

const COLORS: Record<OneWonState, string> = { open: 'processing', verified: 'success', locked: 'error', failed: 'error', expired: 'default' };

function asState(v: string): OneWonState | undefined {
  return ONE_WON_STATES.find((s) => s === v);
}

/** One-won verifications (1원 인증), newest first. */
export default function OneWonPage() {
  const { t } = useI18n();
  const [state, setState] = useState('');
  const keyset = useKeyset(state);
  const list = useOneWon(asState(state), keyset.after);
  const columns: ColumnsType<OneWon> = [
    { title: t('common.createdAt'), dataIndex: 'createdAt', render: (v: string) => dateTime(v), width: 170 },
    { title: t('common.id'), dataIndex: 'id', render: (v: string) => <span className="fb-mono">{v}</span> },
    { title: t('common.service'), dataIndex: 'service' },
    {
      title: t('common.account'),
      key: 'account',
      render: (_, o) => (
        <span className="fb-mono">
          {o.bankCode} {o.account}
        </span>
      ),
    },
    { title: t('common.state'), dataIndex: 'state', render: (v: OneWonState) => <Tag color={COLORS[v]}>{v}</Tag> },
    { title: t('oneWon.attempts'), dataIndex: 'attempts' },
    { title: t('oneWon.failure'), dataIndex: 'failure', render: (v: string | null) => v ?? '—' },
    { title: t('oneWon.expiresAt'), dataIndex: 'expiresAt', render: (v: string) => dateTime(v), width: 170 },
    {
      title: t('oneWon.transfer'),
      dataIndex: 'transferId',
      render: (v: string | null) => (v ? <Link to={`/transfers/${encodeURIComponent(v)}`} className="fb-mono">{v}</Link> : '—'),
    },
  ];
  return (
    <div data-testid="one-won-page">
      <PageTitle>{t('oneWon.title')}</PageTitle>
      <div className="fb-filters">
        <label>
          {t('common.state')}
          <NativeSelect data-testid="one-won-state" value={state} onChange={setState} allLabel={t('common.all')} options={ONE_WON_STATES.map((s) => ({ value: s, label: s }))} />
        </label>
      </div>
      <QueryError error={list.error} />
      <Table<OneWon>
        size="small"
        rowKey="id"
        columns={columns}
        dataSource={list.data?.items ?? []}
        loading={list.isFetching}
        pagination={false}
        scroll={{ x: 'max-content' }}
        onRow={(o) => rowAttrs({ 'data-testid': 'one-won-row', 'data-id': o.id, 'data-state': o.state })}
      />
      <KeysetPager keyset={keyset} next={list.data?.next} loading={list.isFetching} />
    </div>
  );
}
