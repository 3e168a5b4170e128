import { PlusOutlined, StopOutlined } from '@ant-design/icons';
import { Button, Card, Checkbox, Form, Input, Space, Table, Tag } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useState } from 'react';
import type { ApiKey } from '../api/types';
import { API_KEY_SCOPES } from '../api/types';
import { OneTimeSecretModal } from '../components/OneTimeSecretModal';
import { PageTitle } from '../components/PageTitle';
import { QueryError } from '../components/QueryError';
import { ReasonModal, useReasonModal } from '../components/ReasonModal';
import { rowAttrs } from '../components/rowAttrs';
import { useApiKeys, useCreateApiKey, useRevokeApiKey } from '../hooks/useApiKeys';
import { dateTime, won } from '../lib/format';
import { useI18n } from '../i18n';

const SERVICE = /^[a-z0-9][a-z0-9-]{0,63}$/;
const AMOUNT = /^[0-9]{1,13}$/;

function CreateApiKey({ onCreated }: { onCreated: (key: string) => void }) {
  const { t } = useI18n();
  const create = useCreateApiKey();
  const [open, setOpen] = useState(false);
  const [service, setService] = useState('');
  const [scopes, setScopes] = useState<string[]>(['transfers', 'verifications']);
  const [maxAmount, setMaxAmount] = useState('');
  const ok = SERVICE.test(service) && scopes.length > 0 && AMOUNT.test(maxAmount);
  return (
    <>
      <Button
        data-testid="api-key-create"
        type="primary"
        icon={<PlusOutlined />}
        onClick={() => {
          setService('');
          setScopes(['transfers', 'verifications']);
          setMaxAmount('');
          setOpen(true);
        }}
      >
        {t('apiKeys.create')}
      </Button>
      <ReasonModal
        open={open}
        title={t('apiKeys.createTitle')}
        ready={ok}
        successMessage={null}
        onClose={() => setOpen(false)}
        onSubmit={(reason) => create.mutateAsync({ service, scopes, maxAmount, reason })}
        onDone={(created) => onCreated(created.apiKey)}
      >
        <Form.Item label={t('common.service')} required help={service && !SERVICE.test(service) ? t('apiKeys.servicePattern') : undefined} validateStatus={service && !SERVICE.test(service) ? 'error' : undefined}>
          <Input data-testid="api-key-service" value={service} onChange={(e) => setService(e.target.value)} maxLength={64} placeholder="payroll" />
        </Form.Item>
        <Form.Item label={t('apiKeys.scopes')} required help={scopes.length === 0 ? t('apiKeys.scopesRequired') : undefined} validateStatus={scopes.length === 0 ? 'error' : undefined}>
          <Checkbox.Group data-testid="api-key-scopes" value={scopes} onChange={(v) => setScopes(v.map(String))} options={API_KEY_SCOPES.map((s) => ({ value: s, label: s }))} />
        </Form.Item>
        <Form.Item label={t('apiKeys.maxAmount')} required help={maxAmount && !AMOUNT.test(maxAmount) ? t('apiKeys.amountPattern') : undefined} validateStatus={maxAmount && !AMOUNT.test(maxAmount) ? 'error' : undefined}>
          <Input data-testid="api-key-max-amount" value={maxAmount} onChange={(e) => setMaxAmount(e.target.value)} inputMode="numeric" maxLength={13} placeholder="5000000" />
        </Form.Item>
      </ReasonModal>
    </>
  );
}

/** The services' API keys: list, create (the key shown once), revoke. */
export default function ApiKeysPage() {
  const { t } = useI18n();
  const keys = useApiKeys();
  const revoke = useRevokeApiKey();
  const reason = useReasonModal();
  const [newKey, setNewKey] = useState<string | null>(null);

  const columns: ColumnsType<ApiKey> = [
    { title: t('apiKeys.keyId'), dataIndex: 'keyId', render: (v: string) => <span className="fb-mono">{v}</span> },
    { title: t('common.service'), dataIndex: 'service' },
    {
      title: t('apiKeys.scopes'),
      dataIndex: 'scopes',
      render: (v: string[]) => (
        <Space size={[4, 4]} wrap>
          {v.map((s) => (
            <Tag key={s} color={s === 'admin' ? 'purple' : undefined}>
              {s}
            </Tag>
          ))}
        </Space>
      ),
    },
    { title: t('apiKeys.maxAmount'), dataIndex: 'maxAmount', align: 'right', render: (v: string) => won(t, v) },
    { title: t('common.createdAt'), dataIndex: 'createdAt', render: (v: string) => dateTime(v) },
    { title: t('apiKeys.revokedAt'), dataIndex: 'revokedAt', render: (v: string | null) => (v ? <Tag color="error">{dateTime(v)}</Tag> : '—') },
    {
      title: t('common.actions'),
      key: 'actions',
      render: (_, k) =>
        k.revokedAt ? null : (
          <Button
            data-testid="revoke-api-key"
            size="small"
            danger
            icon={<StopOutlined />}
            onClick={() =>
              reason.ask({
                title: t('apiKeys.revokeTitle'),
                description: `${k.keyId} · ${k.service}`,
                danger: true,
                successMessage: t('apiKeys.revoked'),
                onSubmit: (r) => revoke.mutateAsync({ keyId: k.keyId, reason: r }),
              })
            }
          >
            {t('apiKeys.revoke')}
          </Button>
        ),
    },
  ];

  return (
    <div data-testid="api-keys-page">
      <PageTitle extra={<CreateApiKey onCreated={setNewKey} />}>{t('apiKeys.title')}</PageTitle>
      <QueryError error={keys.error} />
      <Card size="small">
        <Table<ApiKey>
          size="small"
          rowKey="keyId"
          columns={columns}
          dataSource={keys.data?.items ?? []}
          loading={keys.isFetching && !keys.data}
          pagination={false}
          scroll={{ x: 'max-content' }}
          onRow={(k) => rowAttrs({ 'data-testid': 'api-key-row', 'data-id': k.keyId, 'data-revoked': k.revokedAt ? 'true' : 'false' })}
        />
      </Card>
      <OneTimeSecretModal title={t('apiKeys.newKey')} secret={newKey} testId="new-api-key" warning={t('apiKeys.shownOnce')} onClose={() => setNewKey(null)} />
      {reason.modal}
    </div>
  );
}
