import { DownloadOutlined, EyeOutlined } from '@ant-design/icons';
import { Alert, Space, Switch, Table, Tag } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useState } from 'react';
import type { Consent } from '../api/types';
import { CONSENT_STATES } from '../api/types';
import { KeysetPager } from '../components/KeysetPager';
import { NativeSelect } from '../components/NativeSelect';
import { PageTitle } from '../components/PageTitle';
import { QueryError } from '../components/QueryError';
import { rowAttrs } from '../components/rowAttrs';
import { consentEvidenceUrl, useConsents } from '../hooks/useConsents';
import { useKeyset } from '../hooks/useKeyset';
import { hasRole, useOperator } from '../hooks/useSession';
import { dateTime } from '../lib/format';
import { useI18n } from '../i18n';

const STATE_COLORS: Record<string, string> = { registered: 'success', consented: 'processing', calling: 'processing', registering: 'processing', declined: 'default', refused: 'error', withdrawn: 'default', withdrawing: 'warning', 'cancelled-at-bank': 'error' };

/** Payer consents (ARS withdrawal consents): state filter, unmasking for those allowed, evidence for operators. */
export default function ConsentsPage() {
  const { t } = useI18n();
  const operator = useOperator();
  const [state, setState] = useState('');
  const [unmask, setUnmask] = useState(false);
  const effectiveUnmask = unmask && operator.canUnmask;
  const keyset = useKeyset(`${state}|${effectiveUnmask}`);
  const consents = useConsents(state, effectiveUnmask, keyset.after);
  const mayDownload = hasRole(operator, 'operator');

  const columns: ColumnsType<Consent> = [
    { title: t('common.createdAt'), dataIndex: 'createdAt', render: (v: string) => dateTime(v), width: 170 },
    { title: t('common.service'), dataIndex: 'service' },
    { title: t('common.institution'), dataIndex: 'institution' },
    { title: t('consents.payerNumber'), dataIndex: 'payerNumber', render: (v: string) => <span className="fb-mono">{v}</span> },
    {
      title: t('common.account'),
      key: 'account',
      render: (_, c) => (
        <span className="fb-mono" data-testid="consent-account">
          {c.bankCode} {c.account}
        </span>
      ),
    },
    { title: t('consents.holderName'), dataIndex: 'holderName', render: (v: string) => <span data-testid="consent-holder">{v}</span> },
    { title: t('common.state'), dataIndex: 'state', render: (v: string) => <Tag color={STATE_COLORS[v]}>{v}</Tag> },
    { title: t('common.updatedAt'), dataIndex: 'updatedAt', render: (v: string) => dateTime(v), width: 170 },
    {
      title: t('consents.evidence'),
      key: 'evidence',
      render: (_, c) =>
        c.hasEvidence ? (
          mayDownload ? (
            <a data-testid="consent-evidence" href={consentEvidenceUrl(c.id)} download>
              <DownloadOutlined /> {t('consents.download')}
            </a>
          ) : (
            <Tag>{t('common.yes')}</Tag>
          )
        ) : (
          '—'
        ),
    },
  ];

  return (
    <div data-testid="consents-page">
      <PageTitle>{t('consents.title')}</PageTitle>
      <div className="fb-filters">
        <label>
          {t('common.state')}
          <NativeSelect data-testid="consent-state" value={state} onChange={setState} allLabel={t('common.all')} options={CONSENT_STATES.map((s) => ({ value: s, label: s }))} />
        </label>
        {operator.canUnmask ? (
          <Space size={6} style={{ paddingBottom: 6 }}>
            <Switch data-testid="unmask-toggle" checked={unmask} onChange={setUnmask} />
            <EyeOutlined />
            {t('common.unmask')}
          </Space>
        ) : null}
      </div>
      {effectiveUnmask ? <Alert type="warning" showIcon message={t('common.unmaskAudited')} style={{ marginBottom: 16 }} /> : null}
      <QueryError error={consents.error} />
      <Table<Consent>
        size="small"
        rowKey="id"
        columns={columns}
        dataSource={consents.data?.items ?? []}
        loading={consents.isFetching}
        pagination={false}
        scroll={{ x: 'max-content' }}
        onRow={(c) => rowAttrs({ 'data-testid': 'consent-row', 'data-id': c.id, 'data-state': c.state })}
      />
      <KeysetPager keyset={keyset} next={consents.data?.next} loading={consents.isFetching} />
    </div>
  );
}
