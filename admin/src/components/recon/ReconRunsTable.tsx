import { Space, Table, Tag } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import type { ReconRun } from '../../api/types';
import { useReconRuns } from '../../hooks/useReconciliation';
import { dateTime } from '../../lib/format';
import { useI18n } from '../../i18n';
import { QueryError } from '../QueryError';
import { rowAttrs } from '../rowAttrs';

const COLORS: Record<ReconRun['status'], string> = { running: 'processing', clean: 'success', breaks: 'warning', failed: 'error' };

/** Reconciliation runs, newest first, with their figures. */
export function ReconRunsTable({ institution }: { institution: string }) {
  const { t } = useI18n();
  const runs = useReconRuns(institution);
  const columns: ColumnsType<ReconRun> = [
    { title: t('common.institution'), dataIndex: 'institution' },
    { title: t('recon.businessDate'), dataIndex: 'businessDate', render: (v: string) => <span className="fb-mono">{v}</span> },
    { title: t('common.status'), dataIndex: 'status', render: (v: ReconRun['status']) => <Tag color={COLORS[v]}>{t(`recon.status.${v}`)}</Tag> },
    {
      title: t('recon.figures'),
      key: 'figures',
      render: (_, r) => (r.figures ? `${r.figures.ledgerTransfers} / ${r.figures.bankRecords} / ${r.figures.matched} / ${r.figures.breaks}` : '—'),
    },
    {
      title: t('recon.byCategory'),
      key: 'byCategory',
      render: (_, r) =>
        r.figures && Object.keys(r.figures.breaksByCategory).length > 0 ? (
          <Space size={[4, 4]} wrap>
            {Object.entries(r.figures.breaksByCategory).map(([category, n]) => (
              <Tag key={category}>
                {category} {n}
              </Tag>
            ))}
          </Space>
        ) : (
          '—'
        ),
    },
    { title: t('recon.file'), dataIndex: 'file', render: (v: string | null) => <span className="fb-mono">{v ?? '—'}</span> },
    { title: t('recon.startedAt'), dataIndex: 'startedAt', render: (v: string) => dateTime(v) },
    { title: t('recon.finishedAt'), dataIndex: 'finishedAt', render: (v: string | null) => dateTime(v) },
    {
      title: t('recon.report'),
      key: 'report',
      // Downloads from the admin API (the session cookie goes along): the night's own files, never a console page.
      render: (_, r) =>
        r.status === 'running' ? (
          '—'
        ) : (
          <Space size={8}>
            <a data-testid="run-report-html" href={`/admin/api/reconciliation/runs/${r.id}/report?kind=html`} download>
              HTML
            </a>
            <a data-testid="run-report-csv" href={`/admin/api/reconciliation/runs/${r.id}/report?kind=csv`} download>
              CSV
            </a>
          </Space>
        ),
    },
  ];
  return (
    <>
      <QueryError error={runs.error} />
      <Table<ReconRun>
        size="small"
        rowKey="id"
        columns={columns}
        dataSource={runs.data?.items ?? []}
        loading={runs.isFetching}
        pagination={false}
        scroll={{ x: 'max-content' }}
        onRow={(r) => rowAttrs({ 'data-testid': 'run-row', 'data-id': r.id, 'data-status': r.status })}
      />
    </>
  );
}
