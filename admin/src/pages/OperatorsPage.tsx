import { UnlockOutlined } from '@ant-design/icons';
import { Button, Card, Space, Switch, Table, Tag } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useState } from 'react';
import type { Operator, Role } from '../api/types';
import { ROLES } from '../api/types';
import { NativeSelect } from '../components/NativeSelect';
import { OneTimeSecretModal } from '../components/OneTimeSecretModal';
import { CreateOperator } from '../components/operators/CreateOperator';
import { PageTitle } from '../components/PageTitle';
import { QueryError } from '../components/QueryError';
import { useReasonModal } from '../components/ReasonModal';
import { rowAttrs } from '../components/rowAttrs';
import { useChangeOperator, useOperators, type OperatorChange } from '../hooks/useOperators';
import { useOperator } from '../hooks/useSession';
import { dateTime } from '../lib/format';
import { useI18n } from '../i18n';

/** Operators: list, add (one-time password shown once), change role, unmask permission, disable, unlock. */
export default function OperatorsPage() {
  const { t } = useI18n();
  const me = useOperator();
  const operators = useOperators();
  const change = useChangeOperator();
  const reason = useReasonModal();
  const [password, setPassword] = useState<string | null>(null);

  const ask = (o: Operator, title: string, patch: Omit<OperatorChange, 'reason'>) =>
    reason.ask({ title, onSubmit: (r) => change.mutateAsync({ name: o.name, ...patch, reason: r }) });

  const columns: ColumnsType<Operator> = [
    {
      title: t('operators.name'),
      dataIndex: 'name',
      render: (v: string) => (
        <Space size={4}>
          <span className="fb-mono">{v}</span>
          {v === me.name ? <Tag>{t('operators.you')}</Tag> : null}
        </Space>
      ),
    },
    {
      title: t('operators.role'),
      dataIndex: 'role',
      render: (v: Role, o) => (
        <Space size={6} data-role={v}>
          <NativeSelect
            data-testid="operator-role-select"
            value={v}
            onChange={(next) => {
              const role = ROLES.find((r) => r === next);
              if (role && role !== v) ask(o, t('operators.changeRole', { name: o.name, role: t(`role.${role}`) }), { role });
            }}
            options={ROLES.map((r) => ({ value: r, label: t(`role.${r}`) }))}
            style={{ minWidth: 110 }}
          />
        </Space>
      ),
    },
    {
      title: t('operators.canUnmask'),
      dataIndex: 'canUnmask',
      render: (v: boolean, o) => (
        <Switch
          data-testid="operator-unmask"
          size="small"
          checked={v}
          onChange={(next) => ask(o, t(next ? 'operators.grantUnmask' : 'operators.revokeUnmask', { name: o.name }), { canUnmask: next })}
        />
      ),
    },
    {
      title: t('common.status'),
      key: 'status',
      render: (_, o) => (
        <Space size={[4, 4]} wrap>
          {o.disabled ? <Tag color="default">{t('operators.disabled')}</Tag> : null}
          {o.locked ? <Tag color="error">{t('operators.locked')}</Tag> : null}
          {o.mustChangePassword ? <Tag color="warning">{t('operators.mustChange')}</Tag> : null}
        </Space>
      ),
    },
    { title: t('operators.lastLoginAt'), dataIndex: 'lastLoginAt', render: (v: string | null) => dateTime(v) },
    { title: t('common.createdAt'), dataIndex: 'createdAt', render: (v: string) => dateTime(v) },
    {
      title: t('common.actions'),
      key: 'actions',
      render: (_, o) => (
        <Space size={4} wrap>
          {o.disabled ? (
            <Button data-testid="operator-enable" size="small" onClick={() => ask(o, t('operators.enableTitle', { name: o.name }), { disabled: false })}>
              {t('operators.enable')}
            </Button>
          ) : (
            <Button data-testid="operator-disable" size="small" danger onClick={() => ask(o, t('operators.disableTitle', { name: o.name }), { disabled: true })}>
              {t('operators.disable')}
            </Button>
          )}
          {o.locked ? (
            <Button data-testid="operator-unlock" size="small" icon={<UnlockOutlined />} onClick={() => ask(o, t('operators.unlockTitle', { name: o.name }), { unlock: true })}>
              {t('operators.unlock')}
            </Button>
          ) : null}
        </Space>
      ),
    },
  ];

  return (
    <div data-testid="operators-page">
      <PageTitle extra={<CreateOperator onCreated={setPassword} />}>{t('operators.title')}</PageTitle>
      <QueryError error={operators.error} />
      <Card size="small">
        <Table<Operator>
          size="small"
          rowKey="id"
          columns={columns}
          dataSource={operators.data?.items ?? []}
          loading={operators.isFetching && !operators.data}
          pagination={false}
          scroll={{ x: 'max-content' }}
          onRow={(o) =>
            rowAttrs({ 'data-testid': 'operator-row', 'data-name': o.name, 'data-role': o.role, 'data-locked': String(o.locked), 'data-disabled': String(o.disabled) })
          }
        />
      </Card>
      <OneTimeSecretModal title={t('operators.oneTimePassword')} secret={password} testId="one-time-password" warning={t('operators.shownOnce')} onClose={() => setPassword(null)} />
      {reason.modal}
    </div>
  );
}
