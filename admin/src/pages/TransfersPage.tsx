import { Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useMemo } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';
import type { TransferState, TransferSummary } from '../api/types';
import { TRANSFER_STATES } from '../api/types';
import { KeysetPager } from '../components/KeysetPager';
import { QueryError } from '../components/QueryError';
import { rowAttrs } from '../components/rowAttrs';
import { TransferStateTag } from '../components/Tags';
import { TransferFilterBar, type TransferFilterValues } from '../components/transfers/TransferFilterBar';
import { useKeyset } from '../hooks/useKeyset';
import { useTransfers, type TransferFilters } from '../hooks/useTransfers';
import { dateTime, won } from '../lib/format';
import { useI18n } from '../i18n';

const FILTER_KEYS = ['requestId', 'state', 'accountSuffix', 'service', 'institution', 'kind', 'minAmount', 'maxAmount', 'from', 'to'] as const;

function isState(s: string): s is TransferState {
  return (TRANSFER_STATES as readonly string[]).includes(s);
}

/** The filters as the URL holds them (so `?state=unknown` links work and a reload keeps them). */
function filtersFromUrl(sp: URLSearchParams): TransferFilterValues {
  const values: TransferFilterValues = {};
  for (const key of FILTER_KEYS) {
    const v = sp.get(key);
    if (v) values[key] = v;
  }
  return values;
}

function toQuery(values: TransferFilterValues): TransferFilters {
  const { state, kind, ...rest } = values;
  return {
    ...rest,
    state: state && isState(state) ? state : undefined,
    kind: kind === 'transfer' || kind === 'collection' ? kind : undefined,
  };
}

/** Search transfers and collections; newest first, keyset pages; a row opens the transfer. */
export default function TransfersPage() {
  const { t } = useI18n();
  const navigate = useNavigate();
  const [searchParams, setSearchParams] = useSearchParams();
  const values = useMemo(() => filtersFromUrl(searchParams), [searchParams]);
  const query = useMemo(() => toQuery(values), [values]);
  const keyset = useKeyset(JSON.stringify(query));
  const transfers = useTransfers(query, keyset.after);

  const apply = (next: TransferFilterValues) => {
    const sp = new URLSearchParams();
    for (const key of FILTER_KEYS) {
      const v = next[key];
      if (v) sp.set(key, v);
    }
    setSearchParams(sp);
    keyset.first();
  };

  const columns: ColumnsType<TransferSummary> = [
    { title: t('common.createdAt'), dataIndex: 'createdAt', width: 170, render: (v: string) => dateTime(v) },
    {
      title: t('transfers.requestId'),
      dataIndex: 'requestId',
      render: (v: string, r) => (
        <Link to={`/transfers/${encodeURIComponent(r.id)}`} onClick={(e) => e.stopPropagation()} className="fb-mono">
          {v}
        </Link>
      ),
    },
    { title: t('transfers.service'), dataIndex: 'service' },
    { title: t('transfers.institution'), dataIndex: 'institution' },
    { title: t('transfers.kind'), dataIndex: 'kind', render: (v: TransferSummary['kind']) => t(`kind.${v}`) },
    {
      title: t('transfers.depositAccount'),
      key: 'account',
      render: (_, r) => (
        <span className="fb-mono">
          {r.depositBankCode} {r.depositAccount}
        </span>
      ),
    },
    { title: t('common.amount'), dataIndex: 'amount', align: 'right', render: (v: string) => won(t, v) },
    {
      title: t('transfers.state'),
      dataIndex: 'state',
      render: (v: TransferState, r) => (
        <>
          <TransferStateTag state={v} />
          {r.needsOperator ? <Tag color="red">{t('transfers.needsOperator')}</Tag> : null}
        </>
      ),
    },
    { title: t('transfers.seqNo'), dataIndex: 'seqNo', render: (v: string | null) => <span className="fb-mono">{v ?? '—'}</span> },
    { title: t('transfers.responseCode'), dataIndex: 'responseCode', render: (v: string | null) => v ?? '—' },
  ];

  return (
    <div data-testid="transfers-page">
      <Typography.Title level={3} style={{ marginTop: 0 }}>
        {t('transfers.title')}
      </Typography.Title>
      <TransferFilterBar key={searchParams.toString()} initial={values} onSubmit={apply} />
      <QueryError error={transfers.error} />
      <Table<TransferSummary>
        size="middle"
        rowKey="id"
        columns={columns}
        dataSource={transfers.data?.items ?? []}
        loading={transfers.isFetching}
        pagination={false}
        scroll={{ x: 'max-content' }}
        rowClassName={() => 'fb-clickable-row'}
        onRow={(r) =>
          rowAttrs(
            { 'data-testid': 'transfer-row', 'data-id': r.id, 'data-state': r.state },
            { onClick: () => navigate(`/transfers/${encodeURIComponent(r.id)}`) },
          )
        }
      />
      <KeysetPager keyset={keyset} next={transfers.data?.next} loading={transfers.isFetching} />
    </div>
  );
}
