import { Card, Table, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import type { EffectiveSwitch, Switch, SwitchState } from '../api/types';
import { PageTitle } from '../components/PageTitle';
import { QueryError } from '../components/QueryError';
import { useReasonModal } from '../components/ReasonModal';
import { rowAttrs } from '../components/rowAttrs';
import { NewSwitchForm } from '../components/switches/NewSwitchForm';
import { SwitchButtons } from '../components/switches/SwitchButtons';
import { SwitchChangesTable } from '../components/switches/SwitchChangesTable';
import { SwitchStateTag } from '../components/Tags';
import { hasRole, useOperator } from '../hooks/useSession';
import { useSetSwitch, useSwitches } from '../hooks/useSwitches';
import { dateTime } from '../lib/format';
import { useI18n } from '../i18n';

/** The switches as set (admins change them, each with a reason) and the state in effect per institution and flow. */
export default function SwitchesPage() {
  const { t } = useI18n();
  const operator = useOperator();
  const isAdmin = hasRole(operator, 'admin');
  const switches = useSwitches();
  const setSwitch = useSetSwitch();
  const reason = useReasonModal();

  const askSet = (scope: string, flow: string, state: SwitchState, expectedVersion?: number) =>
    reason.ask({
      title: t('switches.setTitle', { name: `${scope}/${flow}`, state }),
      danger: state === 'off',
      successMessage: t('switches.done'),
      onSubmit: (r) => setSwitch.mutateAsync({ scope, flow, state, reason: r, expectedVersion }),
    });

  const columns: ColumnsType<Switch> = [
    { title: t('switches.name'), key: 'name', render: (_, s) => <span className="fb-mono">{`${s.scope}/${s.flow}`}</span> },
    { title: t('common.state'), dataIndex: 'state', render: (v: SwitchState) => <SwitchStateTag state={v} /> },
    { title: t('switches.version'), dataIndex: 'version' },
    { title: t('common.by'), dataIndex: 'by' },
    { title: t('common.reason'), dataIndex: 'reason' },
    { title: t('common.at'), dataIndex: 'at', render: (v: string) => dateTime(v) },
  ];
  if (isAdmin) {
    columns.push({
      title: t('common.actions'),
      key: 'actions',
      render: (_, s) => <SwitchButtons current={s.state} onSet={(state) => askSet(s.scope, s.flow, state, s.version)} />,
    });
  }

  const effectiveColumns: ColumnsType<EffectiveSwitch> = [
    { title: t('common.institution'), dataIndex: 'institution' },
    { title: t('switches.flow'), dataIndex: 'flow' },
    { title: t('common.state'), dataIndex: 'state', render: (v: SwitchState) => <SwitchStateTag state={v} /> },
    { title: t('switches.decidedBy'), dataIndex: 'decidedBy', render: (v: string | null) => <span className="fb-mono">{v ?? '—'}</span> },
  ];

  return (
    <div data-testid="switches-page">
      <PageTitle>{t('switches.title')}</PageTitle>
      <QueryError error={switches.error} />
      <Card size="small" title={t('switches.set')} style={{ marginBottom: 16 }}>
        {isAdmin ? (
          <div style={{ marginBottom: 16 }}>
            <NewSwitchForm onSet={(scope, flow, state) => askSet(scope, flow, state, switches.data?.switches.find((s) => s.scope === scope && s.flow === flow)?.version)} />
          </div>
        ) : null}
        <Table<Switch>
          size="small"
          rowKey="name"
          columns={columns}
          dataSource={switches.data?.switches ?? []}
          loading={switches.isFetching && !switches.data}
          pagination={false}
          scroll={{ x: 'max-content' }}
          locale={{ emptyText: t('switches.none') }}
          onRow={(s) => rowAttrs({ 'data-testid': 'switch-row', 'data-name': `${s.scope}/${s.flow}`, 'data-state': s.state, 'data-version': s.version })}
        />
      </Card>
      <Card size="small" title={t('switches.effective')}>
        <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
          */* · */flow · inst/* · inst/flow
        </Typography.Paragraph>
        <Table<EffectiveSwitch>
          size="small"
          rowKey={(e) => `${e.institution}/${e.flow}`}
          columns={effectiveColumns}
          dataSource={switches.data?.effective ?? []}
          pagination={false}
          onRow={(e) => rowAttrs({ 'data-testid': 'effective-row', 'data-name': `${e.institution}/${e.flow}`, 'data-state': e.state })}
        />
      </Card>
      <Card size="small" title={t('switches.changes')} style={{ marginTop: 16 }}>
        <SwitchChangesTable />
      </Card>
      {reason.modal}
    </div>
  );
}
