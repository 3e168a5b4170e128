import { Table } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import type { SwitchChange } from '../../api/types';
import { useSwitchChanges } from '../../hooks/useSwitches';
import { dateTime } from '../../lib/format';
import { useI18n } from '../../i18n';
import { QueryError } from '../QueryError';
import { rowAttrs } from '../rowAttrs';
import { SwitchStateTag } from '../Tags';

/** Every set of a switch, newest first: from what to what, who, when, why. */
export function SwitchChangesTable() {
  const { t } = useI18n();
  const changes = useSwitchChanges();
  const columns: ColumnsType<SwitchChange> = [
    { title: t('common.at'), dataIndex: 'changedAt', render: (v: string) => dateTime(v), width: 170 },
    { title: t('switches.name'), key: 'name', render: (_, c) => <span className="fb-mono">{`${c.scope}/${c.flow}`}</span> },
    {
      title: t('switches.fromTo'),
      key: 'fromTo',
      render: (_, c) => (
        <>
          <SwitchStateTag state={c.from} /> → <SwitchStateTag state={c.to} />
        </>
      ),
    },
    { title: t('switches.version'), dataIndex: 'version' },
    { title: t('common.by'), dataIndex: 'changedBy' },
    { title: t('common.reason'), dataIndex: 'reason' },
  ];
  return (
    <>
      <QueryError error={changes.error} />
      <Table<SwitchChange>
        size="small"
        rowKey="id"
        columns={columns}
        dataSource={changes.data?.items ?? []}
        loading={changes.isFetching && !changes.data}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        scroll={{ x: 'max-content' }}
        onRow={(c) => rowAttrs({ 'data-testid': 'switch-change-row', 'data-name': `${c.scope}/${c.flow}`, 'data-to': c.to })}
      />
    </>
  );
}

