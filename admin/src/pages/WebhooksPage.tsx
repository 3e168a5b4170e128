import { RedoOutlined } from '@ant-design/icons';
import { Button, Card, Input, Space, Table, Tag, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useState } from 'react';
import type { DeliveryStatus, WebhookDelivery, WebhookEndpoint } from '../api/types';
import { DELIVERY_STATUSES } from '../api/types';
import { NativeSelect } from '../components/NativeSelect';
import { PageTitle } from '../components/PageTitle';
import { QueryError } from '../components/QueryError';
import { useReasonModal } from '../components/ReasonModal';
import { rowAttrs } from '../components/rowAttrs';
import { DeliveryStatusTag } from '../components/Tags';
import { hasRole, useOperator } from '../hooks/useSession';
import { useRedeliver, useWebhookDeliveries, useWebhookEndpoints } from '../hooks/useWebhooks';
import { dateTime } from '../lib/format';
import { useI18n } from '../i18n';

function EndpointsTable() {
  const { t } = useI18n();
  const endpoints = useWebhookEndpoints();
  const columns: ColumnsType<WebhookEndpoint> = [
    { title: t('common.id'), dataIndex: 'id' },
    { title: t('common.service'), dataIndex: 'service' },
    { title: t('webhooks.url'), dataIndex: 'url', render: (v: string) => <span className="fb-mono">{v}</span> },
    {
      title: t('webhooks.types'),
      dataIndex: 'types',
      render: (v: string[]) => (
        <Space size={[4, 4]} wrap>
          {v.map((type) => (
            <Tag key={type}>{type}</Tag>
          ))}
        </Space>
      ),
    },
    { title: t('common.createdAt'), dataIndex: 'createdAt', render: (v: string) => dateTime(v) },
    { title: t('webhooks.disabledAt'), dataIndex: 'disabledAt', render: (v: string | null) => (v ? <Tag color="default">{dateTime(v)}</Tag> : '—') },
  ];
  return (
    <Card size="small" title={t('webhooks.endpoints')} style={{ marginBottom: 16 }}>
      <QueryError error={endpoints.error} />
      <Table<WebhookEndpoint>
        size="small"
        rowKey="id"
        columns={columns}
        dataSource={endpoints.data?.items ?? []}
        loading={endpoints.isFetching}
        pagination={false}
        scroll={{ x: 'max-content' }}
        onRow={(e) => rowAttrs({ 'data-testid': 'endpoint-row', 'data-id': e.id })}
      />
    </Card>
  );
}

function asStatus(v: string): DeliveryStatus | undefined {
  return DELIVERY_STATUSES.find((s) => s === v);
}

function DeliveriesTable() {
  const { t } = useI18n();
  const operator = useOperator();
  const [status, setStatus] = useState('');
  const [service, setService] = useState('');
  const [serviceDraft, setServiceDraft] = useState('');
  const deliveries = useWebhookDeliveries(asStatus(status), service);
  const redeliver = useRedeliver();
  const reason = useReasonModal();
  const columns: ColumnsType<WebhookDelivery> = [
    { title: t('common.id'), dataIndex: 'id' },
    { title: t('webhooks.endpoint'), dataIndex: 'endpointId' },
    { title: t('common.service'), dataIndex: 'service' },
    {
      title: t('webhooks.event'),
      key: 'event',
      render: (_, d) => (
        <>
          <Tag>{d.type}</Tag>
          <span className="fb-mono" style={{ fontSize: 12 }}>
            {d.eventId}
          </span>
        </>
      ),
    },
    { title: t('common.status'), dataIndex: 'status', render: (v: DeliveryStatus) => <DeliveryStatusTag status={v} /> },
    { title: t('webhooks.attempts'), dataIndex: 'attempts' },
    { title: t('webhooks.nextAt'), dataIndex: 'nextAt', render: (v: string, d) => (d.status === 'pending' ? dateTime(v) : '—') },
    {
      title: t('webhooks.last'),
      key: 'last',
      render: (_, d) => (
        <>
          {d.lastStatus ?? '—'}
          {d.lastError ? (
            <Typography.Text type="danger" style={{ display: 'block', fontSize: 12, maxWidth: 320 }} ellipsis={{ tooltip: d.lastError }}>
              {d.lastError}
            </Typography.Text>
          ) : null}
        </>
      ),
    },
    { title: t('webhooks.deliveredAt'), dataIndex: 'deliveredAt', render: (v: string | null) => dateTime(v) },
  ];
  if (hasRole(operator, 'operator')) {
    columns.push({
      title: t('common.actions'),
      key: 'actions',
      render: (_, d) =>
        d.status === 'dead' || d.status === 'pending' ? (
          <Button
            data-testid="redeliver"
            size="small"
            icon={<RedoOutlined />}
            onClick={() =>
              reason.ask({
                title: t('webhooks.redeliverTitle'),
                description: `#${d.id} · ${d.type} · ${d.service}`,
                successMessage: t('webhooks.redelivered'),
                onSubmit: (r) => redeliver.mutateAsync({ id: d.id, reason: r }),
              })
            }
          >
            {t('webhooks.redeliver')}
          </Button>
        ) : null,
    });
  }
  return (
    <Card size="small" title={t('webhooks.deliveries')}>
      <form
        className="fb-filters"
        onSubmit={(e) => {
          e.preventDefault();
          setService(serviceDraft.trim());
        }}
      >
        <label>
          {t('common.status')}
          <NativeSelect
            data-testid="delivery-status"
            value={status}
            onChange={setStatus}
            allLabel={t('common.all')}
            options={DELIVERY_STATUSES.map((s) => ({ value: s, label: t(`delivery.${s}`) }))}
          />
        </label>
        <label>
          {t('common.service')}
          <Input data-testid="delivery-service" value={serviceDraft} onChange={(e) => setServiceDraft(e.target.value)} onBlur={() => setService(serviceDraft.trim())} maxLength={64} style={{ width: 160 }} />
        </label>
      </form>
      <QueryError error={deliveries.error} />
      <Table<WebhookDelivery>
        size="small"
        rowKey="id"
        columns={columns}
        dataSource={deliveries.data?.items ?? []}
        loading={deliveries.isFetching}
        pagination={{ pageSize: 50, hideOnSinglePage: true }}
        scroll={{ x: 'max-content' }}
        onRow={(d) => rowAttrs({ 'data-testid': 'delivery-row', 'data-id': d.id, 'data-status': d.status })}
      />
      {reason.modal}
    </Card>
  );
}

/** The services' webhook endpoints, and deliveries (dead letters with status=dead) to send again. */
export default function WebhooksPage() {
  const { t } = useI18n();
  return (
    <div data-testid="webhooks-page">
      <PageTitle>{t('webhooks.title')}</PageTitle>
      <EndpointsTable />
      <DeliveriesTable />
    </div>
  );
}
