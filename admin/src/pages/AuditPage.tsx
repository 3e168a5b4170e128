import { SearchOutlined } from '@ant-design/icons';
import { Button, Input, Table, Tag } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useState, type FormEvent } from 'react';
import type { AuditEntry } from '../api/types';
import { KeysetPager } from '../components/KeysetPager';
import { PageTitle } from '../components/PageTitle';
import { QueryError } from '../components/QueryError';
import { rowAttrs } from '../components/rowAttrs';
import { useAudit } from '../hooks/useAudit';
import { useKeyset } from '../hooks/useKeyset';
import { dateTime, json } from '../lib/format';
import { useI18n } from '../i18n';

function StateDiff({ entry }: { entry: AuditEntry }) {
  const { t } = useI18n();
  return (
    <div style={{ display: 'flex', gap: 16, flexWrap: 'wrap' }}>
      <div style={{ flex: '1 1 300px' }}>
        <strong>{t('audit.before')}</strong>
        <pre className="fb-mono" style={{ fontSize: 12, background: '#fafafa', padding: 8, margin: 0, whiteSpace: 'pre-wrap' }}>
          {json(entry.before)}
        </pre>
      </div>
      <div style={{ flex: '1 1 300px' }}>
        <strong>{t('audit.after')}</strong>
        <pre className="fb-mono" style={{ fontSize: 12, background: '#fafafa', padding: 8, margin: 0, whiteSpace: 'pre-wrap' }}>
          {json(entry.after)}
        </pre>
      </div>
    </div>
  );
}

/** The audit log, newest first: who, when, what, on what, why (before and after on expanding a row). */
export default function AuditPage() {
  const { t } = useI18n();
  const [draft, setDraft] = useState({ actor: '', action: '' });
  const [applied, setApplied] = useState(draft);
  const keyset = useKeyset(`${applied.actor}|${applied.action}`);
  const audit = useAudit(applied.actor, applied.action, keyset.after);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setApplied({ actor: draft.actor.trim(), action: draft.action.trim() });
    keyset.first();
  };

  const columns: ColumnsType<AuditEntry> = [
    { title: t('common.at'), dataIndex: 'at', render: (v: string) => dateTime(v), width: 170 },
    { title: t('audit.actor'), dataIndex: 'actor', render: (v: string) => <span className="fb-mono">{v}</span> },
    { title: t('audit.action'), dataIndex: 'action', render: (v: string) => <Tag color={v.startsWith('unmask') ? 'orange' : 'blue'}>{v}</Tag> },
    { title: t('audit.target'), dataIndex: 'target', render: (v: string | null) => <span className="fb-mono">{v ?? '—'}</span> },
    { title: t('common.reason'), dataIndex: 'reason', render: (v: string | null) => v ?? '—' },
    { title: t('audit.requestId'), dataIndex: 'requestId', render: (v: string | null) => <span className="fb-mono" style={{ fontSize: 12 }}>{v ?? '—'}</span> },
  ];

  return (
    <div data-testid="audit-page">
      <PageTitle>{t('audit.title')}</PageTitle>
      <form className="fb-filters" onSubmit={submit}>
        <label>
          {t('audit.actor')}
          <Input data-testid="audit-actor" value={draft.actor} onChange={(e) => setDraft({ ...draft, actor: e.target.value })} maxLength={64} allowClear style={{ width: 160 }} />
        </label>
        <label>
          {t('audit.action')}
          <Input
            data-testid="audit-action"
            value={draft.action}
            onChange={(e) => setDraft({ ...draft, action: e.target.value })}
            maxLength={64}
            allowClear
            placeholder="settlement.confirm"
            list="fb-audit-actions"
            style={{ width: 200 }}
          />
          <datalist id="fb-audit-actions">
            {['login', 'logout', 'password.change', 'transfer.inquire', 'settlement.propose', 'settlement.confirm', 'settlement.reject', 'break.resolve', 'webhook.redeliver', 'switch.set', 'apikey.create', 'apikey.revoke', 'operator.create', 'operator.update', 'operator.reset-password', 'unmask.view', 'consent.evidence.download'].map((a) => (
              <option key={a} value={a} />
            ))}
          </datalist>
        </label>
        <Button data-testid="audit-submit" htmlType="submit" icon={<SearchOutlined />}>
          {t('common.search')}
        </Button>
      </form>
      <QueryError error={audit.error} />
      <Table<AuditEntry>
        size="small"
        rowKey="id"
        columns={columns}
        dataSource={audit.data?.items ?? []}
        loading={audit.isFetching}
        pagination={false}
        scroll={{ x: 'max-content' }}
        expandable={{ expandedRowRender: (entry) => <StateDiff entry={entry} />, rowExpandable: (entry) => entry.before !== undefined || entry.after !== undefined }}
        onRow={(entry) => rowAttrs({ 'data-testid': 'audit-row', 'data-id': entry.id, 'data-action': entry.action, 'data-actor': entry.actor })}
      />
      <KeysetPager keyset={keyset} next={audit.data?.next} loading={audit.isFetching} />
    </div>
  );
}
